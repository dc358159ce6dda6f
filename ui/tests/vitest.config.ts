// The views in headless Chromium (`npm run test:e2e`, after `vite build`): ui/dist served by
// `vite preview` on 127.0.0.1:4173, the IPC mocked (mock-ipc.ts), driven by playwright-core.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['*.spec.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One browser, one server: the spec files run one after the other.
    fileParallelism: false,
  },
});
