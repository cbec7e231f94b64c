// The contract over IPC: one handler for every call, answered by the same LabService as in
// browser mode, and the lab's events forwarded to the window.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { EVENT_NAMES, IPC_CALL, IPC_EVENT, type CallReply } from '../shared/contract';
import type { LabService } from '../lab/service';
import { isAppUrl } from './app-url';

/** Only the main frame of the lab's own window, showing the app's own page, may call the lab. */
function fromLabWindow(event: IpcMainInvokeEvent, window: BrowserWindow | null): boolean {
  const frame = event.senderFrame;
  return window !== null && !window.isDestroyed() && event.sender === window.webContents && frame !== null && frame === event.sender.mainFrame && isAppUrl(frame.url);
}

export function serveLabOverIpc(service: LabService, labWindow: () => BrowserWindow | null): void {
  ipcMain.handle(IPC_CALL, async (event, name: unknown, args: unknown): Promise<CallReply> => {
    if (!fromLabWindow(event, labWindow())) return { error: "refused: calls are answered only for the lab's own window" };
    return service.answer(name, args);
  });
  for (const name of EVENT_NAMES) {
    service.on(name, (payload) => {
      const window = labWindow();
      if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT, name, payload);
    });
  }
}
