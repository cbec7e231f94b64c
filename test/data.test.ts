import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedDir, labelCounts, loadMnist, validationSplit } from '../src/data/mnist';
import { MNIST_FILES, TEST_LABEL_COUNTS, TRAIN_LABEL_COUNTS } from '../src/data/files';
import { IdxError, parseIdxImages, parseIdxLabels } from '../src/data/idx';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'digit-lab-data-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the embedded MNIST verifies and parses: shapes and SPEC §1 label counts', async () => {
  const data = await loadMnist();
  assert.equal(data.source, 'embedded');
  assert.equal(data.verified, true);
  assert.equal(data.train.count, 60000);
  assert.equal(data.test.count, 10000);
  assert.equal(data.train.images.length, 60000 * 784);
  assert.ok(data.train.images instanceof Float32Array);
  assert.equal(data.test.pixels.length, 10000 * 784);
  assert.deepEqual(labelCounts(data.train.labels), TRAIN_LABEL_COUNTS);
  assert.deepEqual(labelCounts(data.test.labels), TEST_LABEL_COUNTS);
  for (const file of MNIST_FILES) assert.equal(data.sha256[file.name], file.sha256);
  // normalised to 0–1 from the raw bytes
  const i = data.train.pixels.findIndex((p) => p === 255);
  assert.equal(data.train.images[i], 1);
  assert.equal(data.train.labels[0], 5); // MNIST's first training digit is a 5
  assert.ok(Math.max(...data.train.images.subarray(0, 784)) <= 1);
});

test('a verified cache is preferred; a corrupt cache is never used', async () => {
  const cache = join(dir, 'cache');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(cache);
  for (const file of MNIST_FILES) await copyFile(join(embeddedDir(), file.name), join(cache, file.name));
  const fromCache = await loadMnist({ cacheDir: cache });
  assert.equal(fromCache.source, 'cache');
  assert.equal(fromCache.dir, cache);

  const labels = join(cache, 't10k-labels-idx1-ubyte');
  const bytes = await readFile(labels);
  bytes[100] = (bytes[100] + 1) % 10; // still a valid IDX file, but not MNIST
  await writeFile(labels, bytes);
  const statuses: string[] = [];
  const fallback = await loadMnist({ cacheDir: cache, onStatus: (s) => statuses.push(s) });
  assert.equal(fallback.source, 'embedded');
  assert.match(statuses.join('\n'), /t10k-labels-idx1-ubyte: SHA-256 is [0-9a-f]{64}, expected ff7bcfd4/);
});

function header(magic: number, ...dims: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + dims.length * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 + i * 4, d));
  return bytes;
}

function withBody(head: Uint8Array, body: number): Uint8Array {
  const out = new Uint8Array(head.length + body);
  out.set(head);
  return out;
}

function rejects(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof IdxError, String(error));
    assert.match(error.message, message);
    return true;
  });
}

test('crafted bad IDX files are refused with the file and the problem named', () => {
  rejects(() => parseIdxImages(withBody(header(2049, 2, 28, 28), 1568), 'a.idx'), /^a\.idx: magic number is 2049, expected 2051 for IDX images/);
  rejects(() => parseIdxImages(withBody(header(2051, 3, 28, 28), 1568), 'b.idx'), /^b\.idx: is truncated: 1584 bytes, the header needs 2368/);
  rejects(() => parseIdxImages(withBody(header(2051, 2, 28, 28), 1569), 'c.idx'), /^c\.idx: has 1 bytes after the data/);
  rejects(() => parseIdxImages(new Uint8Array(10), 'd.idx'), /^d\.idx: is 10 bytes, shorter than the 16-byte IDX header/);
  rejects(() => parseIdxImages(withBody(header(2051, 1, 0, 28), 0), 'e.idx'), /claims 0×28 images/);
  rejects(() => parseIdxImages(header(2051, 0xffffffff, 28, 28), 'f.idx'), /claims 4294967295 images/);
  const labels = withBody(header(2049, 3), 3);
  labels.set([1, 12, 3], 8);
  rejects(() => parseIdxLabels(labels, 'g.idx'), /^g\.idx: label #1 is 12, outside 0–9/);
  rejects(() => parseIdxLabels(withBody(header(2051, 3), 3), 'h.idx'), /magic number is 2051, expected 2049 for IDX labels/);
  assert.deepEqual([...parseIdxLabels(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]), 'ok.idx')], [7, 9]);
});

test('validation_split takes the last fraction, as Keras does', () => {
  assert.deepEqual(validationSplit(60000, 0.2), { trainCount: 48000, validationCount: 12000 });
  assert.deepEqual(validationSplit(2000, 0.2), { trainCount: 1600, validationCount: 400 });
  assert.deepEqual(validationSplit(100, 0), { trainCount: 100, validationCount: 0 });
  assert.throws(() => validationSplit(100, 1), /validation split must be at least 0 and below 1, got 1/);
});
