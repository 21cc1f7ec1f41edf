// The lab page's entry (index.html): builds the page and offers it to scripts as window.linearconvLab.
import { startLab } from './app.js';
import type { LabHook } from './hook.js';
import { labRegistry } from './backends.js';

declare global {
  interface Window {
    linearconvLab?: LabHook;
  }
}

window.linearconvLab = startLab(document.getElementById('lab')!, labRegistry());
