// Vite builds the front end into ui/dist, which the desktop app embeds at compile time
// (tauri.conf.json: "frontendDist": "ui/dist"). `npm run dev` serves it on 1420 for
// tauri.conf.json's "devUrl".
/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  // Tauri shows its own errors; keep Vite from clearing them away.
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    host: '127.0.0.1',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK 2.40+ (Debian 12) and WebView2 both run ES2021.
    target: 'es2021',
    // No inline assets: the Content-Security-Policy allows no data: scripts or fonts.
    assetsInlineLimit: 0,
  },
  // Unit tests of the pure modules (`npm run test`); the views in a browser are
  // tests/views.spec.ts (`npm run test:e2e`).
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
