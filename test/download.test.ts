import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { embeddedDir, loadMnist } from '../src/data/mnist';
import { MNIST_FILES } from '../src/data/files';
import { DownloadCancelled, downloadMnist, type DownloadProgress } from '../src/data/download';

// Real MNIST files, gzipped as the public mirrors serve them, from a server on 127.0.0.1.
const gz = new Map<string, Buffer>();
type Behaviour = 'good' | 'corrupt' | 'truncated' | 'missing' | 'stall' | 'wrong';
let behaviour: (file: string, mirror: string) => Behaviour = () => 'good';
const requests: string[] = [];
const stalled = new Set<ServerResponse>();
let server: Server;
let base: string;
let dir: string;

before(async () => {
  for (const file of MNIST_FILES) gz.set(file.name, gzipSync(await readFile(join(embeddedDir(), file.name)), { level: 1 }));
  server = createServer((req, res) => {
    const [, mirror, name] = (req.url ?? '').split('/');
    const file = name.replace(/\.gz$/, '');
    requests.push(`${mirror}/${file}`);
    const body = gz.get(file);
    const mode = behaviour(file, mirror);
    if (!body || mode === 'missing') {
      res.writeHead(404).end('not found');
      return;
    }
    if (mode === 'stall') {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, 1000));
      stalled.add(res);
      return;
    }
    if (mode === 'truncated') {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body.subarray(0, Math.floor(body.length / 2)));
      res.destroy();
      return;
    }
    const payload = mode === 'wrong' ? gz.get('train-labels-idx1-ubyte')! : Buffer.from(body);
    if (mode === 'corrupt') payload[Math.floor(payload.length / 2)] ^= 0xff;
    res.writeHead(200, { 'content-length': payload.length }).end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'digit-lab-download-'));
});

after(async () => {
  for (const res of stalled) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function freshCache(name: string): Promise<string> {
  const cache = join(dir, name);
  await mkdir(cache, { recursive: true });
  return cache;
}

/** Pre-caches every file but `except` from the embedded copy, so a test downloads one file. */
async function cacheAllBut(name: string, except: string): Promise<string> {
  const cache = await freshCache(name);
  for (const file of MNIST_FILES) {
    if (file.name !== except) await writeFile(join(cache, file.name), await readFile(join(embeddedDir(), file.name)));
  }
  return cache;
}

async function leftovers(cache: string): Promise<string[]> {
  return (await readdir(cache)).filter((name) => name.endsWith('.part'));
}

const FAST = { retries: 0, backoffMs: 10, stallTimeoutMs: 300 };
const LABELS = 't10k-labels-idx1-ubyte';

test('downloads all four real files, verified, with progress, and the lab then trains from the cache', async () => {
  behaviour = () => 'good';
  const cache = await freshCache('full');
  const progress: DownloadProgress[] = [];
  const result = await downloadMnist({ cacheDir: cache, mirrors: [`${base}/m1/`], onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
  assert.deepEqual(result.files.map((f) => [f.name, f.skipped, f.sha256]), MNIST_FILES.map((f) => [f.name, false, f.sha256]));
  const images = progress.filter((p) => p.file === 'train-images-idx3-ubyte');
  assert.ok(images.length > 2);
  assert.equal(images.at(-1)!.bytes, gz.get('train-images-idx3-ubyte')!.length);
  assert.ok(images.every((p) => p.total === gz.get('train-images-idx3-ubyte')!.length && p.bytesPerSecond >= 0 && p.mirror === `${base}/m1/`));
  assert.ok(images.some((p) => p.etaSeconds !== null));
  const data = await loadMnist({ cacheDir: cache });
  assert.equal(data.source, 'cache');
  // a second download skips what is cached and verified
  const again = await downloadMnist({ cacheDir: cache, mirrors: [`${base}/m1/`] });
  assert.ok(again.files.every((f) => f.skipped));
  assert.deepEqual(await leftovers(cache), []);
});

for (const [mode, message] of [
  ['corrupt', /t10k-labels-idx1-ubyte from http:\/\/127\.0\.0\.1:\d+\/m1\/: (not a valid gzip file|checksum mismatch)/],
  ['wrong', /checksum mismatch: SHA-256 of the unpacked 60008 bytes is [0-9a-f]{64}, expected ff7bcfd4/],
  ['truncated', /t10k-labels-idx1-ubyte from .*m1\/: (truncated: got \d+ of \d+ bytes|the connection broke after \d+ bytes)/],
  ['missing', /t10k-labels-idx1-ubyte from .*m1\/: HTTP 404/],
  ['stall', /stalled: no data for 0\.3 s after 1000 bytes/],
] as const) {
  test(`a ${mode} download fails clearly and leaves the cached file as it was`, async () => {
    behaviour = (file) => (file === LABELS ? mode : 'good');
    const cache = await cacheAllBut(mode, LABELS);
    const previous = Buffer.from('an older file the user had');
    await writeFile(join(cache, LABELS), previous);
    await assert.rejects(downloadMnist({ cacheDir: cache, mirrors: [`${base}/m1/`], ...FAST }), (error: Error) => {
      assert.match(error.message, message);
      assert.match(error.message, /every mirror failed/);
      return true;
    });
    assert.deepEqual(await readFile(join(cache, LABELS)), previous);
    assert.deepEqual(await leftovers(cache), []);
    // the lab keeps working on what it has
    assert.equal((await loadMnist({ cacheDir: cache })).source, 'embedded');
  });
}

test('retries with backoff, then fails over to the next mirror', async () => {
  requests.length = 0;
  behaviour = (file, mirror) => (file === LABELS && mirror === 'bad' ? 'corrupt' : 'good');
  const cache = await cacheAllBut('failover', LABELS);
  const result = await downloadMnist({ cacheDir: cache, mirrors: [`${base}/bad/`, `${base}/good/`], retries: 2, backoffMs: 5 });
  assert.equal(result.files.find((f) => f.name === LABELS)?.mirror, `${base}/good/`);
  assert.deepEqual(requests, ['bad/' + LABELS, 'bad/' + LABELS, 'bad/' + LABELS, 'good/' + LABELS]);
  assert.equal((await loadMnist({ cacheDir: cache })).source, 'cache');
});

test('cancel mid-download: a clear error, nothing half-written', async () => {
  behaviour = (file) => (file === LABELS ? 'stall' : 'good');
  const cache = await cacheAllBut('cancel', LABELS);
  const controller = new AbortController();
  const pending = downloadMnist({ cacheDir: cache, mirrors: [`${base}/m1/`], signal: controller.signal, stallTimeoutMs: 10_000, retries: 0 });
  setTimeout(() => controller.abort(), 200);
  await assert.rejects(pending, (error: Error) => {
    assert.ok(error instanceof DownloadCancelled, String(error));
    assert.match(error.message, /cancelled while fetching t10k-labels-idx1-ubyte; the cache is unchanged/);
    return true;
  });
  assert.deepEqual(await readdir(cache).then((names) => names.includes(LABELS)), false);
  assert.deepEqual(await leftovers(cache), []);
});
