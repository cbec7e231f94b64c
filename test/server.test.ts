// Browser mode on 127.0.0.1: the token guards pages and the WebSocket, pages carry the CSP,
// paths cannot leave the renderer's folder, and the contract round-trips over the socket,
// also through the renderer's own client (src/shared/ws-client.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createLabService, type LabService } from '../src/lab/service';
import { startServer, type LabServer } from '../src/server/server';
import { webSocketLab } from '../src/shared/ws-client';
import { LabCallError } from '../src/shared/lab-call-error';
import { presetSpec } from '../src/shared/presets';
import type { DownloadProgressEvent } from '../src/shared/contract';

let home: string;
let site: string;
let service: LabService;
let server: LabServer;
let base: string;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'digit-lab-server-'));
  site = join(home, 'site');
  await mkdir(join(site, 'assets'), { recursive: true });
  await writeFile(join(site, 'index.html'), '<!doctype html><title>Digit Lab</title>');
  await writeFile(join(site, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(home, 'secret.txt'), 'not for the browser');
  await symlink(join(home, 'secret.txt'), join(site, 'assets', 'link.txt'));
  service = await createLabService({ home: join(home, 'lab') });
  server = await startServer({ service, staticDir: site });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  await service.close();
  await rm(home, { recursive: true, force: true });
});

/** A GET with headers fetch() will not send (Host). */
function get(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('it listens on 127.0.0.1 and gives a URL with a token', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
});

test('pages need the token; the token sets a cookie the assets then use; every page carries the CSP', async () => {
  assert.equal((await fetch(`${base}/`)).status, 403);
  assert.equal((await fetch(`${base}/?token=wrong`)).status, 403);
  assert.equal((await fetch(`${base}/assets/app.js`)).status, 403);
  const page = await fetch(server.url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Digit Lab/);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'; script-src 'self';/);
  assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${server.port};`));
  assert.doesNotMatch(csp, /https?:\/\/|\*|unsafe-eval/, 'no remote origins, no eval');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  const setCookie = page.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /HttpOnly; SameSite=Strict/);
  const cookie = setCookie.split(';')[0];
  const asset = await fetch(`${base}/assets/app.js`, { headers: { cookie } });
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.match(asset.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal((await fetch(`${base}/`, { method: 'HEAD', headers: { cookie } })).status, 200);
  assert.equal((await fetch(`${base}/`, { method: 'POST', headers: { cookie } })).status, 405);
  assert.equal((await fetch(`${base}/missing.js`, { headers: { cookie } })).status, 404);
});

test('no path leaves the renderer folder', async () => {
  const cookie = `digit-lab-token=${server.token}`;
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/assets/link.txt', '/%E0%A4%A', '/%00', '/assets']) {
    const status = await get(path, { cookie, host: `127.0.0.1:${server.port}` });
    assert.ok(status === 404 || status === 403, `${path}: ${status}`);
  }
  // A page on another host name (DNS rebinding) is refused even with the token.
  assert.equal(await get('/', { cookie, host: `evil.example:${server.port}` }), 403);
  assert.equal(await get('/', { cookie, host: `127.0.0.1:${server.port}` }), 200);
});

function connect(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin ? { origin } : {});
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function ask(socket: WebSocket, message: unknown): Promise<Record<string, unknown>> {
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
  const own = `http://127.0.0.1:${server.port}`;
  await assert.rejects(connect(ws), /403/);
  await assert.rejects(connect(`${ws}?token=wrong`), /403/);
  await assert.rejects(connect(`${ws}?token=${server.token}`, 'http://evil.example'), /403/);
  await assert.rejects(connect(`ws://127.0.0.1:${server.port}/other?token=${server.token}`, own), /400|403|Unexpected/);
  const socket = await connect(`${ws}?token=${server.token}`, own);
  try {
    const presets = await ask(socket, { id: 1, call: 'models.presets', args: null });
    assert.equal(presets.id, 1);
    assert.equal((presets.result as { id: string }[]).length, 11);
    assert.deepEqual(await ask(socket, { id: 2, call: 'shell.exec', args: 'rm -rf /' }), {
      id: 2,
      error: 'unknown call "shell.exec"',
      code: 'call.unknown',
      params: { call: '"shell.exec"' },
    });
    const lstmOnFlat = { ...presetSpec('lstm-128'), input: 'flat' };
    const badModel = await ask(socket, { id: 3, call: 'models.summary', args: { spec: lstmOnFlat } });
    assert.match(String(badModel.error), /^models\.summary\.spec: layer 1 \(LSTM\) needs a sequence/);
    assert.equal(badModel.layer, 0);
    assert.deepEqual(await ask(socket, 'not json'), { id: null, error: 'a message must be JSON: {"id", "call", "args"}' });
    assert.deepEqual(await ask(socket, { id: 4, call: 'data.samples', args: { split: 'test', offset: 0, count: 1, path: '/etc' } }), {
      id: 4,
      error: 'data.samples has an unknown field "path"',
      code: 'call.badArgument',
      params: { path: 'data.samples', problem: 'has an unknown field "path"' },
    });
    const info = await ask(socket, { id: 5, call: 'engine.info', args: null });
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes((info.result as { backend: string }).backend));
  } finally {
    socket.close();
  }
  // the cookie the page got is enough, as the browser sends it
  const withCookie = new WebSocket(ws, { origin: own, headers: { cookie: `digit-lab-token=${server.token}` } });
  await new Promise((opened, failed) => withCookie.once('open', opened).once('error', failed));
  withCookie.close();
});

test("the renderer's WebSocket client: calls, errors with the layer, events, reconnecting", async () => {
  const standalone = await startServer({ service, staticDir: site });
  const url = `ws://127.0.0.1:${standalone.port}/lab?token=${standalone.token}`;
  let reconnects = 0;
  const lab = webSocketLab(url, { WebSocket: WebSocket as unknown as new (url: string) => globalThis.WebSocket, firstRetryMs: 50, onReconnect: () => reconnects++ });
  let restarted: LabServer | null = null;
  try {
    assert.equal((await lab.call('models.presets', null)).length, 11);
    const refused = await lab.call('models.summary', { spec: { ...presetSpec('cnn-16-16'), input: 'sequence' } }).catch((e: unknown) => e);
    assert.ok(refused instanceof LabCallError);
    assert.equal(refused.layer, 0);
    assert.match(refused.message, /layer 1 \(Conv2D\) needs an image/);
    assert.equal(refused.code, 'call.badModel');
    assert.equal(refused.params.path, 'models.summary.spec');
    const noRun = await lab.call('runs.get', { runId: 'nowhere' }).catch((e: unknown) => e);
    assert.ok(noRun instanceof LabCallError);
    assert.deepEqual([noRun.code, noRun.params, noRun.message], ['run.unknown', { runId: 'nowhere' }, 'there is no run nowhere']);

    // Events reach the client: a download's progress from a mirror that sends a little, then stalls.
    const stalled: ServerResponse[] = [];
    const mirror = createServer((_, res) => {
      res.writeHead(200, { 'content-length': 100_000 }).write(Buffer.alloc(1000));
      stalled.push(res);
    });
    await new Promise<void>((ready) => mirror.listen(0, '127.0.0.1', ready));
    try {
      const progress = new Promise<DownloadProgressEvent>((heard) => lab.on('data.progress', heard));
      const download = lab.call('data.download', { mirrors: [`http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`] });
      assert.equal((await progress).bytes, 1000);
      assert.equal(await lab.call('data.cancelDownload', null), null);
      assert.equal((await download).ok, false);
    } finally {
      stalled.forEach((res) => res.destroy());
      mirror.closeAllConnections();
      await new Promise((done) => mirror.close(done));
    }

    // The server goes away: the client's socket is closed by it, and calls wait for the next one.
    await standalone.close();
    await new Promise((wait) => setTimeout(wait, 200)); // until the client has seen its socket close
    const waiting = lab.call('models.summary', { spec: presetSpec('mlp-16-16') });
    assert.equal(reconnects, 0, 'the first connection is not a reconnect');
    restarted = await startServer({ service, staticDir: site, port: standalone.port, token: standalone.token });
    assert.equal((await waiting).totalParams, 13002);
    assert.equal(reconnects, 1, 'the renderer is told once the connection is back, to catch up');
  } finally {
    lab.close();
    await restarted?.close();
  }
  await assert.rejects(lab.call('models.presets', null), /closed/);
});

test('close() ends every connection', async () => {
  const own = await startServer({ service, staticDir: site });
  const socket = await connect(`ws://127.0.0.1:${own.port}/lab?token=${own.token}`);
  const closed = new Promise((done) => socket.once('close', done));
  await own.close();
  await closed;
  await assert.rejects(fetch(own.url));
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILT = existsSync(join(ROOT, 'out', 'renderer', 'index.html'));

test('digit-lab serve prints its address, serves the built renderer, and stops cleanly on SIGINT', { skip: !BUILT && 'the renderer is not built (npm run build)' }, async () => {
  const labHome = join(home, 'serve-home');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'digit-lab.js'), 'serve', '--port', '0'], {
    env: { ...process.env, DIGIT_LAB_HOME: labHome, DIGIT_LAB_CACHE: join(labHome, 'cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let stdout = '';
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code} before printing its address`)));
    });
    assert.match(line, /^Digit Lab: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const page = await fetch(line.slice('Digit Lab: '.length));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="app">/);
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
