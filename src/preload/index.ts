// The preload exposes the lab contract as window.lab, and nothing else of Node or Electron.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CALL, IPC_EVENT, type LabApi } from '../shared/contract';

const lab: LabApi = {
  call: (name, args) => ipcRenderer.invoke(IPC_CALL, name, args),
  on: (event, listener) => {
    const handler = (_: Electron.IpcRendererEvent, name: string, payload: Parameters<typeof listener>[0]) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.off(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld('lab', lab);
