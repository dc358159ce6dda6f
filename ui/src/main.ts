import { mount } from 'svelte';
import App from './App.svelte';
import { project } from './lib/project.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) {
  throw new Error('index.html has no #app element');
}

// The tests of the built UI (ui/tests/) set the shared state directly: they raise this flag
// in an init script. Nothing in the app sets it.
const w = window as unknown as { __FERRY_EXPOSE_PROJECT__?: boolean; __FERRY_PROJECT__?: unknown };
if (w.__FERRY_EXPOSE_PROJECT__) w.__FERRY_PROJECT__ = project;

export default mount(App, { target });
