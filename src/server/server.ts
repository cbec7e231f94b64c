// Browser mode: the same lab served on 127.0.0.1 only. The built renderer over HTTP, the
// contract over a WebSocket; both refuse anyone without the session's token.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES, WS_PATH, type SocketEvent, type SocketReply, type SocketRequest } from '../shared/contract';
import type { LabService } from '../lab/service';
import { MAX_IMPORT_BASE64 } from '../shared/limits';
import { securityHeaders } from '../pages/headers';
import { readStatic } from '../pages/static-files';

export const HOST = '127.0.0.1';
const COOKIE = 'digit-lab-token';
const TOKEN_BYTES = 24;
/** The largest message a renderer may send: the largest model import, base64, with room for its names and the call around it. */
export const MAX_MESSAGE_BYTES = MAX_IMPORT_BASE64 + 2 ** 20;

export interface ServerOptions {
  service: LabService;
  /** the built renderer (out/renderer) */
  staticDir: string;
  /** 0 (the default) lets the system pick a free port */
  port?: number;
  /** tests may fix it; otherwise a fresh random one per start */
  token?: string;
}

export interface LabServer {
  /** http://127.0.0.1:PORT/?token=… — the address to open */
  url: string;
  port: number;
  token: string;
  /** closes every connection and stops listening */
  close(): Promise<void>;
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return null;
}

export async function startServer(options: ServerOptions): Promise<LabServer> {
  const token = options.token ?? randomBytes(TOKEN_BYTES).toString('base64url');
  let origin = '';
  let headers: Record<string, string> = {};

  /** Only this server's own address (a page on another name resolving here must not get in) with the token. */
  const admitted = (req: IncomingMessage, url: URL): boolean =>
    `http://${req.headers.host}` === origin && (sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(req), token));

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    if (!admitted(req, url)) {
      res.writeHead(403, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Digit Lab: open the address with the token that `digit-lab serve` printed.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = await readStatic(options.staticDir, url.pathname);
    if (!file) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    // The token in the address is traded for a cookie, so the page's assets and socket need not carry it.
    const cookie = sameToken(url.searchParams.get('token'), token) ? { 'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` } : {};
    res.writeHead(200, { ...headers, ...cookie, 'Content-Type': file.contentType, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };

  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, headers);
      res.end();
    });
  });

  const sockets = new WebSocketServer({
    server,
    path: WS_PATH,
    maxPayload: MAX_MESSAGE_BYTES,
    verifyClient: ({ req, origin: from }: { req: IncomingMessage; origin?: string }, accept: (ok: boolean, code?: number) => void) =>
      // A browser always sends Origin: a page from anywhere else must not drive the lab, even on this machine.
      accept(admitted(req, new URL(req.url ?? '/', origin)) && (from === undefined || from === origin), 403),
  });

  const sendTo = (socket: WebSocket, message: SocketReply | SocketEvent) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  // One listener per event for all sockets: a listener per socket would pass Node's limit of ten.
  const unsubscribe = EVENT_NAMES.map((event) =>
    options.service.on(event, (payload) => {
      for (const socket of sockets.clients) sendTo(socket, { event, payload });
    }),
  );

  sockets.on('connection', (socket: WebSocket) => {
    const send = (message: SocketReply | SocketEvent) => sendTo(socket, message);
    // A malformed or oversized frame is this connection's problem: ws has already closed it, and
    // an 'error' event nobody handles would end the server and any run in it.
    socket.on('error', () => {});
    socket.on('message', async (raw) => {
      let request: Partial<SocketRequest>;
      try {
        request = JSON.parse(raw.toString());
      } catch {
        send({ id: null, error: 'a message must be JSON: {"id", "call", "args"}' });
        return;
      }
      const id = typeof request?.id === 'number' ? request.id : null;
      send({ id, ...(await options.service.answer(request?.call, request?.args)) });
    });
  });

  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, HOST, ready);
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${HOST}:${port}`;
  headers = securityHeaders([`ws://${HOST}:${port}`]);

  return {
    url: `${origin}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe.forEach((off) => off());
      for (const client of sockets.clients) client.terminate();
      await new Promise((done) => sockets.close(done));
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

/** The renderer electron-vite builds (npm run build). */
export function defaultStaticDir(): string {
  return fileURLToPath(new URL('../../out/renderer', import.meta.url));
}
