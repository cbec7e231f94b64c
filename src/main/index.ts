// The Electron main process: one locked-down window over the LabService. The lab's work runs in
// the lab modules and the training worker, which import nothing from Electron.
import { app, session, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createLabService, type LabService } from '../lab/service';
import { labHome } from '../files/lab-home';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { electronStore } from './electron-store';
import { serveLabOverIpc } from './ipc';
import { lockDownContents, lockDownSession } from './security';
import { createLabWindow } from './window';

const PRELOAD = join(import.meta.dirname, '../preload/index.cjs');
const RENDERER = join(import.meta.dirname, '../renderer');

let window: BrowserWindow | null = null;
let service: LabService | null = null;

function showWindow(): void {
  if (window && !window.isDestroyed()) {
    if (window.isMinimized()) window.restore();
    window.focus();
    return;
  }
  window = createLabWindow(PRELOAD);
  window.on('closed', () => (window = null));
}

async function start(): Promise<void> {
  lockDownSession(session.defaultSession);
  serveRenderer(RENDERER);
  service = await createLabService({ home: labHome(), createStore: electronStore });
  serveLabOverIpc(service, () => window);
  showWindow();
}

// One lab at a time: a second launch focuses the first one's window.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.enableSandbox();
  registerAppScheme();
  lockDownContents();
  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  app.on('window-all-closed', () => app.quit());
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed || !service) return;
    event.preventDefault();
    void service.close().finally(() => {
      closed = true;
      app.quit();
    });
  });
  app.whenReady().then(start, (error: Error) => {
    console.error(`Digit Lab could not start: ${error.message}`);
    app.exit(1);
  });
}
