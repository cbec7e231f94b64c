// The preload exposes the lab contract as window.lab, and nothing else of Node or Electron.
// A refused call rejects with the plain ErrorReply object: an Error crossing the contextBridge
// keeps only its message, and its code and `layer` matter (shared/lab-client.ts turns it into a LabCallError).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_EVENT, type CallReply, type EventName, type LabApi, type LabEvents } from '../shared/contract';

const lab: LabApi = {
  call: async (name, args) => {
    const reply = (await ipcRenderer.invoke(IPC_CALL, name, args)) as CallReply<typeof name>;
    if ('error' in reply) {
      const { error, code, params, layer } = reply;
      throw { error, ...(code !== undefined ? { code, params } : {}), ...(layer !== undefined ? { layer } : {}) };
    }
    return reply.result;
  },
  on: <E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void) => {
    const relay = (_: IpcRendererEvent, name: EventName, payload: LabEvents[E]) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, relay);
    return () => void ipcRenderer.off(IPC_EVENT, relay);
  },
};

contextBridge.exposeInMainWorld('lab', lab);
