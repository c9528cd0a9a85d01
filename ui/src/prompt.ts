// The approval prompt window (prompt.html): its own entry, so this page loads the prompt and
// nothing of the main app.
import { mount } from 'svelte';
import './app.css';
import PromptWindow from './lib/PromptWindow.svelte';
import { THEME_STORAGE_KEY, initTheme } from './lib/theme.svelte';

initTheme();
// The theme is chosen in the main window; follow it while this window is open.
window.addEventListener('storage', (event) => {
  if (event.key === THEME_STORAGE_KEY || event.key === null) initTheme();
});

const target = document.getElementById('app');
if (!target) throw new Error('missing #app element');

export default mount(PromptWindow, { target });
