import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCacheDir, embeddedDir, labelCounts, loadMnist, validationSplit } from '../src/data/mnist';
import { ChecksumError, MNIST_FILES, TEST_LABEL_COUNTS, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABEL_COUNTS, sha256, verify } from '../src/data/files';
import { IdxError, parseIdxImages, parseIdxLabels } from '../src/data/idx';

const PIXELS = 28 * 28;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'digit-lab-data-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cacheOfAllFour(name: string): Promise<string> {
  const cache = join(dir, name);
  await mkdir(cache);
  for (const file of MNIST_FILES) await copyFile(join(embeddedDir(), file.name), join(cache, file.name));
  return cache;
}

test('the embedded MNIST verifies and parses: shapes, label counts and hashes', async (t) => {
  const started = performance.now();
  const data = await loadMnist();
  t.diagnostic(`verify + parse + floats of 70,000 images: ${Math.round(performance.now() - started)} ms (target < 1000)`);
  assert.equal(data.source, 'embedded');
  assert.equal(data.dir, embeddedDir());
  assert.equal(data.verified, true);
  for (const [split, count, counts] of [[data.train, 60000, TRAIN_LABEL_COUNTS], [data.test, 10000, TEST_LABEL_COUNTS]] as const) {
    assert.equal(split.count, count);
    assert.ok(split.pixels instanceof Uint8Array && split.images instanceof Float32Array && split.labels instanceof Uint8Array);
    assert.equal(split.pixels.length, count * PIXELS);
    assert.equal(split.images.length, count * PIXELS);
    assert.equal(split.labels.length, count);
    assert.deepEqual(labelCounts(split.labels), counts);
  }
  assert.deepEqual(data.sha256, Object.fromEntries(MNIST_FILES.map((f) => [f.name, f.sha256])));
  // MNIST's first training digit is a 5 and its first test digit a 7
  assert.deepEqual([data.train.labels[0], data.test.labels[0]], [5, 7]);
  // images are the raw bytes / 255: background 0, full ink 1
  for (let i = 0; i < 10 * PIXELS; i++) assert.equal(data.train.images[i], Math.fround(data.train.pixels[i] / 255));
  assert.equal(data.train.pixels[0], 0);
  assert.equal(data.train.pixels.indexOf(255) >= 0, true);
  assert.equal(Math.max(...data.train.images.subarray(0, 10 * PIXELS)), 1);
});

test('a cache holding the four verified files is preferred', async () => {
  const cache = await cacheOfAllFour('good');
  const statuses: string[] = [];
  const data = await loadMnist({ cacheDir: cache, onStatus: (s) => statuses.push(s) });
  assert.equal(data.source, 'cache');
  assert.equal(data.dir, cache);
  assert.deepEqual(labelCounts(data.test.labels), TEST_LABEL_COUNTS);
  assert.deepEqual(statuses, [`verifying and reading MNIST from ${cache} (cache)`]);
  assert.equal((await loadMnist({ cacheDir: join(dir, 'no-such-folder') })).source, 'embedded');
});

// Decision: a cache file that fails verification is never parsed or used. loadMnist says why
// (onStatus) and loads the embedded copy, which is the same data; a damaged cache must not
// stop training. It leaves the bad file alone: the next download replaces it.
test('a corrupt, truncated or missing cache file: never used, the embedded copy is, and the status says why', async () => {
  const cache = await cacheOfAllFour('corrupt');
  const labels = join(cache, TEST_LABELS.name);
  const bytes = await readFile(labels);
  bytes[100] = (bytes[100] + 1) % 10; // still a valid IDX file, but not MNIST
  await writeFile(labels, bytes);
  let statuses: string[] = [];
  const fallback = await loadMnist({ cacheDir: cache, onStatus: (s) => statuses.push(s) });
  assert.equal(fallback.source, 'embedded');
  assert.equal(fallback.sha256[TEST_LABELS.name], TEST_LABELS.sha256);
  assert.equal(fallback.test.labels[100 - 8], (await readFile(join(embeddedDir(), TEST_LABELS.name)))[100], 'label #92 is byte 100');
  assert.equal(statuses.length, 3);
  assert.match(statuses[1], new RegExp(`^not using the cache: ${labels}: SHA-256 is (?!${TEST_LABELS.sha256})[0-9a-f]{64}, expected ${TEST_LABELS.sha256}; the file is corrupt or not MNIST; using the embedded copy$`));
  assert.equal(statuses[2], `verifying and reading MNIST from ${embeddedDir()} (embedded)`);
  assert.deepEqual(await readFile(labels), bytes, 'the bad file is left as it was');

  await copyFile(join(embeddedDir(), TEST_LABELS.name), labels);
  await truncate(join(cache, TRAIN_IMAGES.name), 1000);
  statuses = [];
  assert.equal((await loadMnist({ cacheDir: cache, onStatus: (s) => statuses.push(s) })).source, 'embedded');
  assert.match(statuses[1], /train-images-idx3-ubyte: SHA-256 is [0-9a-f]{64}, expected ba891046/);

  await rm(join(cache, TRAIN_IMAGES.name));
  statuses = [];
  assert.equal((await loadMnist({ cacheDir: cache, onStatus: (s) => statuses.push(s) })).source, 'embedded');
  assert.equal(statuses[0], `not using the cache ${cache}: it lacks train-images-idx3-ubyte; using the embedded copy`);
});

test('verify names the file, the expected and the actual hash', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  assert.equal(verify({ ...TEST_LABELS, sha256: sha256(bytes) }, bytes), sha256(bytes));
  assert.throws(() => verify(TEST_LABELS, bytes, '/x/t10k-labels-idx1-ubyte'), (error: unknown) => {
    assert.ok(error instanceof ChecksumError);
    assert.equal(error.message, `/x/t10k-labels-idx1-ubyte: SHA-256 is ${sha256(bytes)}, expected ${TEST_LABELS.sha256}; the file is corrupt or not MNIST`);
    assert.deepEqual([error.file, error.expected, error.actual], ['/x/t10k-labels-idx1-ubyte', TEST_LABELS.sha256, sha256(bytes)]);
    return true;
  });
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
  rejects(() => parseIdxImages(withBody(header(2049, 2, 28, 28), 1568), 'a.idx'), /^a\.idx: magic number is 2049, expected 2051 for IDX images$/);
  rejects(() => parseIdxImages(withBody(header(2051, 3, 28, 28), 1568), 'b.idx'), /^b\.idx: is truncated: 1584 bytes, the header needs 2368$/);
  rejects(() => parseIdxImages(withBody(header(2051, 2, 28, 28), 1569), 'c.idx'), /^c\.idx: has 1 bytes after the data the header describes$/);
  rejects(() => parseIdxImages(new Uint8Array(10), 'd.idx'), /^d\.idx: is 10 bytes, shorter than the 16-byte IDX header$/);
  rejects(() => parseIdxImages(withBody(header(2051, 1, 0, 28), 0), 'e.idx'), /^e\.idx: claims 0×28 images/);
  rejects(() => parseIdxImages(header(2051, 0xffffffff, 28, 28), 'f.idx'), /^f\.idx: claims 4294967295 images/);
  const labels = withBody(header(2049, 3), 3);
  labels.set([1, 12, 3], 8);
  rejects(() => parseIdxLabels(labels, 'g.idx'), /^g\.idx: label #1 is 12, outside 0–9$/);
  rejects(() => parseIdxLabels(withBody(header(2051, 3), 3), 'h.idx'), /^h\.idx: magic number is 2051, expected 2049 for IDX labels$/);
  rejects(() => parseIdxLabels(new Uint8Array(7), 'i.idx'), /^i\.idx: is 7 bytes, shorter than the 8-byte IDX header$/);
  rejects(() => parseIdxLabels(withBody(header(2049, 5), 4), 'j.idx'), /^j\.idx: is truncated: 12 bytes, the header needs 13$/);
  rejects(() => parseIdxLabels(withBody(header(2049, 5), 9), 'k.idx'), /^k\.idx: has 4 bytes after the data the header describes$/);
  assert.deepEqual([...parseIdxLabels(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]), 'ok.idx')], [7, 9]);
});

test('labelCounts counts 0–9 and refuses anything else', () => {
  assert.deepEqual(labelCounts(Uint8Array.from([0, 9, 9, 3])), [1, 0, 0, 1, 0, 0, 0, 0, 0, 2]);
  assert.deepEqual(labelCounts(new Uint8Array(0)), new Array(10).fill(0));
  assert.throws(() => labelCounts(Uint8Array.from([1, 10])), /label 10 is outside 0–9/);
});

test('validation_split takes the last fraction, as Keras does', () => {
  assert.deepEqual(validationSplit(60000, 0.2), { trainCount: 48000, validationCount: 12000 });
  assert.deepEqual(validationSplit(2000, 0.2), { trainCount: 1600, validationCount: 400 });
  assert.deepEqual(validationSplit(100, 0), { trainCount: 100, validationCount: 0 });
  // int(10 * (1 - 0.3)) = int(7.000000000000001) = 7, as in Keras
  assert.deepEqual(validationSplit(10, 0.3), { trainCount: 7, validationCount: 3 });
  assert.deepEqual(validationSplit(3, 0.5), { trainCount: 1, validationCount: 2 });
  for (const bad of [1, 1.5, -0.1, Number.NaN]) {
    assert.throws(() => validationSplit(100, bad), new RegExp(`validation split must be at least 0 and below 1, got ${bad}`));
  }
  assert.throws(() => validationSplit(1.5, 0.2), /sample count must be a whole number ≥ 0, got 1.5/);
});

test('defaultCacheDir: DIGIT_LAB_CACHE, else XDG_CACHE_HOME, else ~/.cache; under digit-lab/mnist', () => {
  const saved = { DIGIT_LAB_CACHE: process.env.DIGIT_LAB_CACHE, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
  try {
    delete process.env.DIGIT_LAB_CACHE;
    delete process.env.XDG_CACHE_HOME;
    assert.equal(defaultCacheDir(), join(homedir(), '.cache', 'digit-lab', 'mnist'));
    process.env.XDG_CACHE_HOME = '/var/cache/someone';
    assert.equal(defaultCacheDir(), '/var/cache/someone/digit-lab/mnist');
    process.env.XDG_CACHE_HOME = 'relative/cache'; // invalid by the XDG spec: ignored
    assert.equal(defaultCacheDir(), join(homedir(), '.cache', 'digit-lab', 'mnist'));
    process.env.DIGIT_LAB_CACHE = '/data/mnist';
    assert.equal(defaultCacheDir(), '/data/mnist');
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});
