// Browser mode's LabApi: the contract over the WebSocket of the server that served the page.
// Browser-safe (no Node imports). Calls made while the connection is down wait for it; a call
// already sent when it drops is rejected (it may have run), and the client reconnects with backoff.
import type { CallArgs, CallName, CallResult, EventName, LabApi, LabEvents, SocketRequest, ErrorReply } from './contract';
import { LabCallError } from './lab-call-error';

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 10_000;
/** WebSocket.OPEN, the same in every implementation */
const OPEN = 1;

/** A SocketReply or a SocketEvent, before it is known which */
interface Incoming {
  id?: number | null;
  result?: unknown;
  error?: string;
  code?: string;
  params?: unknown;
  layer?: number;
  event?: EventName;
  payload?: unknown;
}

export interface WebSocketLabOptions {
  /** the WebSocket class: the browser's by default (tests pass the `ws` package's) */
  WebSocket?: new (url: string) => WebSocket;
  firstRetryMs?: number;
  /** called each time the connection comes back after a drop (events sent meanwhile were missed) */
  onReconnect?: () => void;
}

export interface WebSocketLab extends LabApi {
  /** stops reconnecting and closes the connection; pending calls are rejected */
  close(): void;
}

interface Pending {
  message: string;
  sent: boolean;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export function webSocketLab(url: string, options: WebSocketLabOptions = {}): WebSocketLab {
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  const firstRetry = options.firstRetryMs ?? FIRST_RETRY_MS;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let retry = firstRetry;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let connectedBefore = false;

  const isOpen = () => socket !== null && socket.readyState === OPEN;

  const send = (call: Pending) => {
    socket!.send(call.message);
    call.sent = true;
  };

  const receive = (data: unknown) => {
    let message: Incoming;
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (message.event !== undefined) {
      listeners.get(message.event)?.forEach((listener) => listener(message.payload));
      return;
    }
    const call = pending.get(message.id as number);
    if (!call) return;
    pending.delete(message.id as number);
    if (typeof message.error === 'string') call.reject(LabCallError.from(message as ErrorReply));
    else call.resolve(message.result);
  };

  const connect = () => {
    const current = new Socket(url);
    socket = current;
    current.addEventListener('open', () => {
      retry = firstRetry;
      for (const call of pending.values()) if (!call.sent) send(call);
      if (connectedBefore) options.onReconnect?.();
      connectedBefore = true;
    });
    current.addEventListener('message', (event) => receive(event.data));
    // The close that follows an error does the work (and Node's `ws` throws an error no one listens to).
    current.addEventListener('error', () => {});
    current.addEventListener('close', () => {
      if (socket === current) socket = null;
      for (const [id, call] of pending) {
        if (!call.sent && !closed) continue;
        pending.delete(id);
        call.reject(new LabCallError(closed ? 'the lab connection was closed' : 'the connection to the lab was lost during the call; it is reconnecting'));
      }
      if (closed) return;
      timer = setTimeout(connect, retry);
      retry = Math.min(retry * 2, LAST_RETRY_MS);
    });
  };
  connect();

  return {
    call<K extends CallName>(name: K, args: CallArgs<K>): Promise<CallResult<K>> {
      if (closed) return Promise.reject(new LabCallError('the lab connection was closed'));
      const id = nextId++;
      const request: SocketRequest = { id, call: name, args };
      return new Promise((resolve, reject) => {
        const call: Pending = { message: JSON.stringify(request), sent: false, resolve: resolve as (value: unknown) => void, reject };
        pending.set(id, call);
        if (isOpen()) send(call);
      });
    },
    on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const [id, call] of pending) {
        pending.delete(id);
        call.reject(new LabCallError('the lab connection was closed'));
      }
      socket?.close();
    },
  };
}
