import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { embeddedDir, loadMnist } from '../src/data/mnist';
import { MNIST_FILES, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS } from '../src/data/files';
import { DownloadCancelled, DownloadError, downloadMnist, type DownloadProgress } from '../src/data/download';
import { mirrorFailures } from '../src/renderer/src/lib/download-failure';

// The real MNIST files, gzipped as the public mirrors serve them, from a server on 127.0.0.1.
// Each request is /<mirror>/<name>.gz; `behaviour` decides per file and mirror what it gets.
const gzip = promisify(gzipCallback);
const GZIP_LEVEL = 1; // fast to make; the downloader does not care how hard it was packed
type Mode =
  | 'good'
  | 'encoded' // the .gz sent with Content-Encoding: gzip, as misconfigured storage does
  | 'corrupt' // bytes flipped inside the gzip stream
  | 'altered' // a valid gzip of the file with one byte changed
  | 'wrong' // a valid gzip of a larger file
  | 'html' // 200 with a web page, as a captive portal answers
  | 'truncated' // announces the full length, sends half, hangs up
  | 'cut' // half the gzip, announced as such: a clean end, too early
  | 'missing' // 404
  | 'unavailable' // 503
  | 'stall' // headers and 1000 bytes, then nothing
  | 'drip' // the file at 200 bytes every 100 ms: never stalls, never ends
  | 'away' // a redirect to the same path on another host (127.0.0.2)
  | 'moved' // a redirect to the same file under /good/ on this host
  | 'silent'; // accepts the request, never answers

const gz = new Map<string, Buffer>();
let altered: Buffer;
let behaviour: (file: string, mirror: string) => Mode = () => 'good';
const requests: { mirror: string; file: string; at: number }[] = [];
const held = new Set<ServerResponse>();
let server: Server;
let base: string;
let dir: string;

function serve(res: ServerResponse, body: Buffer, headers: Record<string, string | number> = {}): void {
  res.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': body.length, ...headers }).end(body);
}

before(async () => {
  await Promise.all(
    MNIST_FILES.map(async (file) => gz.set(file.name, await gzip(await readFile(join(embeddedDir(), file.name)), { level: GZIP_LEVEL }))),
  );
  const labels = await readFile(join(embeddedDir(), TEST_LABELS.name));
  labels[100] = (labels[100] + 1) % 10; // still a valid IDX file, but not MNIST
  altered = await gzip(labels, { level: GZIP_LEVEL });

  server = createServer((req, res) => {
    const [, mirror = '', name = ''] = (req.url ?? '').split('/');
    const file = name.replace(/\.gz$/, '');
    requests.push({ mirror, file, at: performance.now() });
    const body = gz.get(file);
    const mode = behaviour(file, mirror);
    if (!body || mode === 'missing') return void res.writeHead(404).end('not found');
    switch (mode) {
      case 'unavailable':
        return void res.writeHead(503).end('try later');
      case 'silent':
        held.add(res);
        return;
      case 'away':
        return void res.writeHead(302, { location: `http://127.0.0.2:${(server.address() as AddressInfo).port}${req.url}` }).end();
      case 'moved':
        return void res.writeHead(301, { location: `/good/${name}` }).end();
      case 'drip': {
        res.writeHead(200, { 'content-length': body.length });
        held.add(res);
        let at = 0;
        const timer = setInterval(() => {
          if (res.destroyed || at >= body.length) return clearInterval(timer);
          res.write(body.subarray(at, (at += 200)));
        }, 100);
        res.once('close', () => clearInterval(timer));
        return;
      }
      case 'stall':
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, 1000));
        held.add(res);
        return;
      case 'truncated':
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, body.length >> 1), () => res.destroy());
        return;
      case 'cut':
        return serve(res, body.subarray(0, body.length >> 1));
      case 'corrupt': {
        const bad = Buffer.from(body);
        for (let i = 0; i < 16; i++) bad[(bad.length >> 3) + i] ^= 0xff;
        return serve(res, bad);
      }
      case 'altered':
        return serve(res, altered);
      case 'wrong':
        return serve(res, gz.get(TRAIN_LABELS.name)!);
      case 'html':
        return serve(res, Buffer.from('<!doctype html><title>Sign in to the Wi-Fi</title>'.repeat(200)), { 'content-type': 'text/html' });
      case 'encoded':
        return serve(res, body, { 'content-encoding': 'gzip' });
      default:
        return serve(res, body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'digit-lab-download-'));
});

// every test stops what it started: held connections are dropped, the log starts empty
afterEach(() => {
  for (const res of held) res.destroy();
  held.clear();
  requests.length = 0;
  behaviour = () => 'good';
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const mirror = (name: string) => `${base}/${name}/`;
const FAST = { retries: 0, backoffMs: 10, stallTimeoutMs: 300 };
const PREVIOUS = Buffer.from('the file the cache held before');

/** A cache holding, from the embedded copy, the named files. */
async function cacheWith(name: string, files: readonly { name: string }[]): Promise<string> {
  const cache = join(dir, name);
  await mkdir(cache, { recursive: true });
  for (const file of files) await copyFile(join(embeddedDir(), file.name), join(cache, file.name));
  return cache;
}

async function partFiles(cache: string): Promise<string[]> {
  return (await readdir(cache)).filter((name) => name.endsWith('.part'));
}

test('downloads all four real files, verified, with throttled progress; then the lab loads the cache', async () => {
  const cache = await cacheWith('full', []);
  const events: { at: number; progress: DownloadProgress }[] = [];
  const result = await downloadMnist({ cacheDir: cache, mirrors: [mirror('m1')], onProgress: (progress) => events.push({ at: performance.now(), progress }) });
  // smallest first, so a bad mirror shows itself within kilobytes
  assert.deepEqual(result.files.map((f) => f.name), [TEST_LABELS, TRAIN_LABELS, TEST_IMAGES, TRAIN_IMAGES].map((f) => f.name));
  for (const file of MNIST_FILES) {
    assert.deepEqual(result.files.find((f) => f.name === file.name), { name: file.name, mirror: mirror('m1'), sha256: file.sha256, bytes: file.bytes, skipped: false });
    const mine = events.filter((e) => e.progress.file === file.name);
    const last = mine.at(-1)!.progress;
    const size = gz.get(file.name)!.length;
    assert.deepEqual([last.bytes, last.total, last.attempt, last.mirror, last.etaSeconds], [size, size, 1, mirror('m1'), 0]);
    assert.ok(last.bytesPerSecond > 0);
    assert.ok(mine.every((e) => e.progress.total === size && e.progress.bytes <= size));
    // at most one event per 100 ms, plus the one that closes the file
    for (let i = 1; i < mine.length - 1; i++) assert.ok(mine[i].at - mine[i - 1].at >= 99, `events ${i - 1} and ${i} of ${file.name} too close`);
  }
  assert.deepEqual((await readdir(cache)).sort(), MNIST_FILES.map((f) => f.name).sort());
  const data = await loadMnist({ cacheDir: cache });
  assert.equal(data.source, 'cache');

  const again = await downloadMnist({ cacheDir: cache, mirrors: [mirror('m1')] });
  assert.ok(again.files.every((f) => f.skipped && f.mirror === 'cache'));
  assert.equal(requests.length, 4, 'nothing is fetched twice');
});

const FAILURES: [Mode, RegExp][] = [
  ['corrupt', /not a valid gzip file \((invalid|incorrect) [a-z ]+\)/],
  ['html', /not a valid gzip file \(incorrect header check\)/],
  ['altered', /checksum mismatch: SHA-256 of the 10008 unpacked bytes expected ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2, got (?!ff7bcfd4)[0-9a-f]{64}/],
  ['wrong', /unpacks to more than the 10008 bytes of t10k-labels-idx1-ubyte: not this MNIST file/],
  ['truncated', /the connection broke after \d+ bytes/],
  ['cut', /truncated gzip: the data ends early, after \d+ bytes/],
  ['missing', /HTTP 404 Not Found/],
  ['stall', /stalled: no data for 0\.3 s after 1000 bytes/],
  ['silent', /no answer for 0\.3 s/],
];

for (const [mode, problem] of FAILURES) {
  test(`${mode}: the error names the file, mirror and cause; the cached file is untouched, no .part left`, async () => {
    behaviour = (file) => (file === TEST_LABELS.name ? mode : 'good');
    const cache = await cacheWith(mode, []);
    await writeFile(join(cache, TEST_LABELS.name), PREVIOUS);
    await assert.rejects(downloadMnist({ cacheDir: cache, mirrors: [mirror('m1')], ...FAST }), (error: unknown) => {
      assert.ok(error instanceof DownloadError, String(error));
      assert.equal(error.file, TEST_LABELS.name);
      assert.match(error.message, /^t10k-labels-idx1-ubyte from http:\/\/127\.0\.0\.1:\d+\/m1\/: every mirror failed:\n {2}http:\/\/127\.0\.0\.1:\d+\/m1\/ \(try 1\): /);
      assert.match(error.message, problem);
      assert.equal(error.attempts.length, 1);
      assert.match(error.attempts[0].message, /^t10k-labels-idx1-ubyte from http:\/\/127\.0\.0\.1:\d+\/m1\/: /);
      return true;
    });
    assert.deepEqual(await readFile(join(cache, TEST_LABELS.name)), PREVIOUS);
    assert.deepEqual(await readdir(cache), [TEST_LABELS.name]);
  });
}

test('a corrupt byte early in the 10 MB images gzip fails at once, not after a stall', async () => {
  behaviour = (file) => (file === TRAIN_IMAGES.name ? 'corrupt' : 'good');
  const cache = await cacheWith('corrupt-images', [TEST_LABELS, TRAIN_LABELS, TEST_IMAGES]);
  await writeFile(join(cache, TRAIN_IMAGES.name), PREVIOUS);
  const started = performance.now();
  await assert.rejects(downloadMnist({ cacheDir: cache, mirrors: [mirror('m1')], retries: 0, stallTimeoutMs: 20_000 }), /train-images-idx3-ubyte from [^\n]+: every mirror failed:\n.*: not a valid gzip file \(incorrect data check\)$/);
  assert.ok(performance.now() - started < 10_000);
  assert.deepEqual(await readFile(join(cache, TRAIN_IMAGES.name)), PREVIOUS);
  assert.deepEqual(await partFiles(cache), []);
  assert.equal(requests.length, 1, 'the three cached files were verified and skipped');
  assert.equal((await loadMnist({ cacheDir: cache })).source, 'embedded', 'the lab keeps working on the embedded copy');
});

test('a .gz sent with Content-Encoding: gzip is unpacked once, not twice', async () => {
  behaviour = (file) => (file === TEST_LABELS.name ? 'encoded' : 'good');
  const cache = await cacheWith('encoded', [TRAIN_LABELS, TEST_IMAGES, TRAIN_IMAGES]);
  const progress: DownloadProgress[] = [];
  const result = await downloadMnist({ cacheDir: cache, mirrors: [mirror('m1')], onProgress: (p) => progress.push(p) });
  assert.equal(result.files[0].skipped, false);
  assert.equal(result.files[0].sha256, TEST_LABELS.sha256);
  assert.equal(progress.at(-1)!.total, null, 'the announced length counts packed bytes, so it is not a total');
  assert.equal(progress.at(-1)!.bytes, TEST_LABELS.bytes);
});

test('failover: a 404 is not retried; the next mirror serves the file', async () => {
  behaviour = (_file, from) => (from === 'gone' ? 'missing' : 'good');
  const cache = await cacheWith('failover', [TRAIN_LABELS, TEST_IMAGES, TRAIN_IMAGES]);
  const result = await downloadMnist({ cacheDir: cache, mirrors: [mirror('gone'), mirror('good')], retries: 2, backoffMs: 5 });
  assert.equal(result.files[0].mirror, mirror('good'));
  assert.deepEqual(requests.map((r) => r.mirror), ['gone', 'good']);
  assert.equal((await loadMnist({ cacheDir: cache })).source, 'cache');
});

test('retries with doubling backoff, counted in progress attempts, then the next mirror', async () => {
  behaviour = (_file, from) => (from === 'bad' ? 'corrupt' : 'good');
  const cache = await cacheWith('backoff', [TRAIN_LABELS, TEST_IMAGES, TRAIN_IMAGES]);
  const progress: DownloadProgress[] = [];
  const result = await downloadMnist({ cacheDir: cache, mirrors: [mirror('bad'), mirror('good')], retries: 2, backoffMs: 60, onProgress: (p) => progress.push(p) });
  assert.equal(result.files[0].mirror, mirror('good'));
  assert.deepEqual(requests.map((r) => r.mirror), ['bad', 'bad', 'bad', 'good']);
  const gaps = [requests[1].at - requests[0].at, requests[2].at - requests[1].at];
  assert.ok(gaps[0] >= 55 && gaps[1] >= 115, `backoff gaps ${gaps.map(Math.round).join(', ')} ms, expected 60 then 120`);
  assert.deepEqual([...new Set(progress.filter((p) => p.mirror === mirror('bad')).map((p) => p.attempt))], [1, 2, 3]);
  assert.deepEqual(await partFiles(cache), []);
});

test('when every mirror fails, the error lists each try and its cause', async () => {
  behaviour = (_file, from) => (from === 'gone' ? 'missing' : from === 'busy' ? 'unavailable' : 'corrupt');
  const cache = await cacheWith('all-fail', []);
  const mirrors = [mirror('gone'), mirror('busy'), mirror('bad')];
  await assert.rejects(downloadMnist({ cacheDir: cache, mirrors, retries: 1, backoffMs: 5 }), (error: unknown) => {
    assert.ok(error instanceof DownloadError);
    assert.equal(error.mirror, mirrors.join(', '));
    const lines = error.message.split('\n').slice(1).map((line) => line.replace(base, ''));
    assert.equal(lines.length, 5);
    assert.match(lines[0], /^ {2}\/gone\/ \(try 1\): HTTP 404 Not Found$/);
    assert.match(lines[1], /^ {2}\/busy\/ \(try 1\): HTTP 503 Service Unavailable$/);
    assert.match(lines[2], /^ {2}\/busy\/ \(try 2\): HTTP 503 Service Unavailable$/);
    assert.match(lines[3], /^ {2}\/bad\/ \(try 1\): not a valid gzip file/);
    assert.match(lines[4], /^ {2}\/bad\/ \(try 2\): not a valid gzip file/);
    assert.equal(error.attempts.length, 5);
    assert.equal(error.cause, error.attempts[4]);
    // the Data view shows it as one line per mirror, with its tries
    const shown = mirrorFailures(error.message);
    assert.match(shown.head, /every mirror failed:$/);
    assert.deepEqual(
      shown.mirrors.map((m) => [m.mirror.replace(base, ''), m.tries, m.problem.slice(0, 24)]),
      [['/gone/', 1, 'HTTP 404 Not Found'], ['/busy/', 2, 'HTTP 503 Service Unavail'], ['/bad/', 2, 'not a valid gzip file (i']],
    );
    return true;
  });
  assert.deepEqual(await readdir(cache), []);
});

test('a redirect to another host is refused without connecting there; one within the host is followed', async () => {
  behaviour = (_file, from) => (from === 'away' ? 'away' : from === 'moved' ? 'moved' : 'good');
  const cache = await cacheWith('redirects', [TRAIN_LABELS, TEST_IMAGES, TRAIN_IMAGES]);
  await assert.rejects(
    downloadMnist({ cacheDir: cache, mirrors: [mirror('away')], ...FAST, retries: 2 }),
    /away\/ \(try 1\): redirects to http:\/\/127\.0\.0\.2:\d+, another host; only redirects within the mirror's own host are followed$/,
  );
  assert.deepEqual(requests.map((r) => r.mirror), ['away'], 'not retried, and 127.0.0.2 never asked');
  const result = await downloadMnist({ cacheDir: cache, mirrors: [mirror('moved')], ...FAST });
  assert.equal(result.files[0].sha256, TEST_LABELS.sha256);
  assert.deepEqual(requests.slice(1).map((r) => r.mirror), ['moved', 'good']);
  assert.equal((await loadMnist({ cacheDir: cache })).source, 'cache');
});

test('a mirror that drips bytes fails as too slow once the grace period is over; the cache keeps what it had', async () => {
  behaviour = () => 'drip';
  const cache = await cacheWith('drip', [TRAIN_LABELS, TEST_IMAGES, TRAIN_IMAGES]);
  await writeFile(join(cache, TEST_LABELS.name), PREVIOUS);
  const started = performance.now();
  await assert.rejects(
    downloadMnist({ cacheDir: cache, mirrors: [mirror('slow')], ...FAST, minBytesPerSecond: 10_000, rateGraceMs: 400 }),
    /slow\/ \(try 1\): too slow: \d+ bytes in 0\.\d+ s, under the 10000 bytes\/s a download must keep up$/,
  );
  assert.ok(performance.now() - started < 3000);
  assert.deepEqual(await readFile(join(cache, TEST_LABELS.name)), PREVIOUS);
  assert.deepEqual(await partFiles(cache), []);
});

test('a mirror that is not an http(s) address is refused without trying it again', async () => {
  const cache = await cacheWith('bad-url', []);
  await assert.rejects(
    downloadMnist({ cacheDir: cache, mirrors: ['ftp://example.com/mnist/', 'not a url'], ...FAST, retries: 2 }),
    /ftp:\/\/example\.com\/mnist\/ \(try 1\): the mirror is not an http:\/\/ or https:\/\/ address\n {2}not a url \(try 1\): the mirror is not/,
  );
});

test('cancel mid-download: a cancellation error, the cached file untouched, no .part left', async () => {
  behaviour = () => 'stall';
  const cache = await cacheWith('cancel', []);
  await writeFile(join(cache, TEST_LABELS.name), PREVIOUS);
  const controller = new AbortController();
  const pending = downloadMnist({ cacheDir: cache, mirrors: [mirror('m1')], signal: controller.signal, stallTimeoutMs: 10_000, retries: 0 });
  setTimeout(() => controller.abort(), 200);
  const started = performance.now();
  await assert.rejects(pending, (error: unknown) => {
    assert.ok(error instanceof DownloadCancelled && error instanceof DownloadError, String(error));
    assert.match(error.message, /^t10k-labels-idx1-ubyte from http:\/\/127\.0\.0\.1:\d+\/m1\/: download cancelled; files already verified stay in the cache, nothing half-written was kept$/);
    return true;
  });
  assert.ok(performance.now() - started < 2000);
  assert.deepEqual(await readFile(join(cache, TEST_LABELS.name)), PREVIOUS);
  assert.deepEqual(await readdir(cache), [TEST_LABELS.name]);
});

test('cancel during a backoff ends the wait at once; an aborted signal fetches nothing', async () => {
  behaviour = () => 'unavailable';
  const cache = await cacheWith('cancel-backoff', []);
  const controller = new AbortController();
  const pending = downloadMnist({ cacheDir: cache, mirrors: [mirror('busy')], signal: controller.signal, retries: 3, backoffMs: 60_000 });
  setTimeout(() => controller.abort(), 200);
  const started = performance.now();
  await assert.rejects(pending, DownloadCancelled);
  assert.ok(performance.now() - started < 2000);
  assert.equal(requests.length, 1);

  await assert.rejects(downloadMnist({ cacheDir: cache, mirrors: [mirror('busy')], signal: AbortSignal.abort() }), /download cancelled/);
  assert.equal(requests.length, 1);
  assert.deepEqual(await readdir(cache), []);
});

test('temp files left by a process that died are swept; those of live processes and other files are not', async () => {
  behaviour = () => 'missing';
  const cache = await cacheWith('sweep', []);
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const names = [`${TEST_LABELS.name}.${dead}.0a1b2c.part`, `${TRAIN_IMAGES.name}.${process.pid}.0a1b2c.part`, 'notes.part'];
  for (const name of names) await writeFile(join(cache, name), PREVIOUS);
  await assert.rejects(downloadMnist({ cacheDir: cache, mirrors: [mirror('gone')], ...FAST }), /HTTP 404/);
  assert.deepEqual((await readdir(cache)).sort(), names.slice(1).sort());
});
