import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createLabService, type LabService } from '../src/lab/service';
import { startServer, type LabServer } from '../src/server/server';

let home: string;
let service: LabService;
let server: LabServer;
let base: string;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'digit-lab-server-'));
  const site = join(home, 'site');
  await mkdir(join(site, 'assets'), { recursive: true });
  await writeFile(join(site, 'index.html'), '<!doctype html><title>Digit Lab</title>');
  await writeFile(join(site, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(home, 'secret.txt'), 'not for the browser');
  service = await createLabService({ home: join(home, 'lab') });
  server = await startServer({ service, staticDir: site });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  await service.close();
  await rm(home, { recursive: true, force: true });
});

test('it listens on 127.0.0.1 and prints a URL with a token', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
});

test('pages need the token; the token sets a cookie the assets then use', async () => {
  assert.equal((await fetch(`${base}/`)).status, 403);
  assert.equal((await fetch(`${base}/?token=wrong`)).status, 403);
  const page = await fetch(server.url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Digit Lab/);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'; script-src 'self'/);
  assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${server.port}`));
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
  assert.match(page.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
  const asset = await fetch(`${base}/assets/app.js`, { headers: { cookie } });
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await fetch(`${base}/assets/app.js`)).status, 403);
  assert.equal((await fetch(`${base}/%2e%2e/secret.txt`, { headers: { cookie } })).status, 404);
  assert.equal((await fetch(`${base}/..%2fsecret.txt`, { headers: { cookie } })).status, 404);
  assert.equal((await fetch(`${base}/`, { method: 'POST', headers: { cookie } })).status, 405);
});

function connect(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin ? { origin } : {});
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function ask(socket: WebSocket, message: unknown): Promise<{ id: unknown; result?: unknown; error?: string; layer?: number }> {
  return new Promise((resolve) => {
    const onMessage = (raw: WebSocket.RawData) => {
      const data = JSON.parse(raw.toString());
      if (data.event) return;
      socket.off('message', onMessage);
      resolve(data);
    };
    socket.on('message', onMessage);
    socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  });
}

test('the WebSocket refuses strangers and carries the contract for the token holder', async () => {
  const ws = `ws://127.0.0.1:${server.port}/lab`;
  await assert.rejects(connect(ws), /403|Unexpected server response/);
  await assert.rejects(connect(`${ws}?token=${server.token}`, 'http://evil.example'), /403|Unexpected server response/);
  const socket = await connect(`${ws}?token=${server.token}`, `http://127.0.0.1:${server.port}`);
  try {
    const presets = await ask(socket, { id: 1, call: 'models.presets', args: null });
    assert.equal(presets.id, 1);
    assert.equal((presets.result as { id: string }[]).length, 11);
    const forged = await ask(socket, { id: 2, call: 'shell.exec', args: 'rm -rf /' });
    assert.deepEqual(forged, { id: 2, error: 'unknown call "shell.exec"' });
    const badModel = await ask(socket, { id: 3, call: 'models.summary', args: { spec: { name: 'x', input: 'flat', layers: [{ type: 'LSTM', units: 4 }], optimizer: 'adam', learningRate: 0.001, epochs: 1, batchSize: 1, validation: { kind: 'none' } } } });
    assert.match(badModel.error ?? '', /layer 1 \(LSTM\) needs a sequence/);
    assert.equal(badModel.layer, 0);
    assert.deepEqual(await ask(socket, 'not json'), { id: null, error: 'a message must be JSON' });
    const info = await ask(socket, { id: 4, call: 'engine.info', args: null });
    assert.equal((info.result as { backend: string }).backend, 'wasm');
  } finally {
    socket.close();
  }
});
