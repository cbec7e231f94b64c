// Browser mode: the same lab served on 127.0.0.1 only. The built renderer over HTTP,
// the contract over a WebSocket; both refuse anyone without the session's token.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES } from '../shared/contract';
import type { LabService } from '../lab/service';
import { CallError } from '../lab/validate';

export const HOST = '127.0.0.1';
export const SOCKET_PATH = '/lab';
const COOKIE = 'digit-lab-token';
/** The largest message a renderer may send: a model import with its weights, base64. */
const MAX_MESSAGE_BYTES = 300 * 2 ** 20;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface ServerOptions {
  service: LabService;
  /** the built renderer (out/renderer) */
  staticDir: string;
  port?: number;
  token?: string;
}

export interface LabServer {
  url: string;
  port: number;
  token: string;
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
    const [name, value] = part.trim().split('=');
    if (name === COOKIE) return value ?? null;
  }
  return null;
}

function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://${HOST}:${port}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

export async function startServer(options: ServerOptions): Promise<LabServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const root = resolve(options.staticDir);
  let port = 0;

  const server = createServer(async (req, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const headers = securityHeaders(port);
    const fromQuery = url.searchParams.get('token');
    if (!sameToken(fromQuery, token) && !sameToken(cookieToken(req), token)) {
      res.writeHead(403, { ...headers, 'Content-Type': 'text/plain' }).end('Digit Lab: this address needs the token printed when the lab started.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    const path = resolve(root, '.' + decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
    if (path !== root && !path.startsWith(root + sep)) {
      res.writeHead(404, headers).end();
      return;
    }
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const cookie = sameToken(fromQuery, token) ? { 'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` } : {};
    res.writeHead(200, { ...headers, ...cookie, 'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : await readFile(path));
  });

  const sockets = new WebSocketServer({
    server,
    path: SOCKET_PATH,
    maxPayload: MAX_MESSAGE_BYTES,
    verifyClient: ({ req, origin }: { req: IncomingMessage; origin?: string }) => {
      const url = new URL(req.url ?? '/', `http://${HOST}`);
      const tokenOk = sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(req), token);
      // A page from any other origin must not drive the lab, even on this machine.
      const originOk = origin === undefined || origin === `http://${HOST}:${port}`;
      return tokenOk && originOk;
    },
  });

  sockets.on('connection', (socket: WebSocket) => {
    const unsubscribe = EVENT_NAMES.map((event) =>
      options.service.on(event, (payload) => socket.send(JSON.stringify({ event, payload }))),
    );
    socket.on('close', () => unsubscribe.forEach((off) => off()));
    socket.on('message', async (raw) => {
      let id: unknown = null;
      try {
        const message = JSON.parse(raw.toString()) as { id?: unknown; call?: unknown; args?: unknown };
        id = message.id;
        const result = await options.service.call(message.call, message.args);
        socket.send(JSON.stringify({ id, result: result ?? null }));
      } catch (error) {
        const layer = error instanceof CallError ? error.layer : (error as { layer?: number }).layer;
        socket.send(JSON.stringify({ id, error: error instanceof SyntaxError ? 'a message must be JSON' : (error as Error).message, layer }));
      }
    });
  });

  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, HOST, ready);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
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
