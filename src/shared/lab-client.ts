// The renderer's way to the lab: Electron's preload provides window.lab; in browser mode
// the same contract travels over a WebSocket to the page's own server.
import type { CallArgs, CallName, CallResult, EventName, LabApi, LabEvents } from './contract';

/** A call's error as the lab answered it; `layer` points at the model layer at fault. */
export class LabCallError extends Error {
  constructor(
    message: string,
    readonly layer?: number,
  ) {
    super(message);
    this.name = 'LabCallError';
  }
}

const RECONNECT_MS = 1000;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export function webSocketLab(url: string): LabApi {
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket;
  let open: Promise<void>;

  const connect = () => {
    socket = new WebSocket(url);
    open = new Promise((resolve) => socket.addEventListener('open', () => resolve(), { once: true }));
    socket.addEventListener('message', (message) => {
      const data = JSON.parse(String(message.data)) as { id?: number; result?: unknown; error?: string; layer?: number; event?: string; payload?: unknown };
      if (data.event) {
        listeners.get(data.event)?.forEach((listener) => listener(data.payload));
        return;
      }
      const call = pending.get(data.id as number);
      if (!call) return;
      pending.delete(data.id as number);
      if (data.error !== undefined) call.reject(new LabCallError(data.error, data.layer));
      else call.resolve(data.result);
    });
    socket.addEventListener('close', () => {
      for (const call of pending.values()) call.reject(new LabCallError('the connection to the lab was lost; retrying'));
      pending.clear();
      setTimeout(connect, RECONNECT_MS);
    });
  };
  connect();

  return {
    async call<K extends CallName>(name: K, args: CallArgs<K>): Promise<CallResult<K>> {
      await open;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        socket.send(JSON.stringify({ id, call: name, args }));
      });
    },
    on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
}

/** window.lab under Electron, else the WebSocket of the server that served this page. */
export function connectLab(): LabApi {
  const injected = (globalThis as { lab?: LabApi }).lab;
  if (injected) return injected;
  return webSocketLab(`ws://${location.host}/lab`);
}
