import { mount } from 'svelte';
import App from './App.svelte';
import { nav } from './lib/state/nav.svelte';
import { source } from './lib/state/source.svelte';
import { target } from './lib/state/target.svelte';
import { plan } from './lib/state/plan.svelte';
import { run } from './lib/state/run.svelte';
import { checks } from './lib/state/checks.svelte';
import { maskKey } from './lib/state/masks.svelte';
import { production } from './lib/state/production.svelte';
import './app.css';

const root = document.getElementById('app');
if (!root) {
  throw new Error('index.html has no #app element');
}

// The tests of the built UI (ui/tests/) set the shared state directly: they raise this flag
// in an init script. Nothing in the app sets it.
const w = window as unknown as { __FERRY_EXPOSE_STATE__?: boolean; __FERRY_STATE__?: unknown };
if (w.__FERRY_EXPOSE_STATE__) w.__FERRY_STATE__ = { nav, source, target, plan, run, checks, maskKey, production };

export default mount(App, { target: root });
