// The renderer's way to the lab: Electron's preload provides window.lab; in browser mode the
// same contract travels over a WebSocket to the page's own server. Either way a refused call
// rejects with a LabCallError.
import { WS_PATH, type LabApi } from './contract';
import { isErrorReply, LabCallError } from './lab-call-error';
import { webSocketLab } from './ws-client';

export { LabCallError } from './lab-call-error';

/**
 * The preload rejects with the plain ErrorReply object, because an Error crossing Electron's
 * contextBridge loses every field but its message (and `layer` matters to the model view).
 */
function fromPreload(injected: LabApi): LabApi {
  return {
    call: (name, args) =>
      injected.call(name, args).catch((reason: unknown) => {
        throw isErrorReply(reason) ? LabCallError.from(reason) : reason;
      }),
    on: (event, listener) => injected.on(event, listener),
  };
}

/**
 * window.lab under Electron, else the WebSocket of the server that served this page.
 * onReconnect: browser mode's connection came back after a drop (IPC never drops).
 */
export function connectLab(onReconnect?: () => void): LabApi {
  const injected = (globalThis as { lab?: LabApi }).lab;
  if (injected) return fromPreload(injected);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return webSocketLab(`${scheme}://${location.host}${WS_PATH}`, { onReconnect });
}
