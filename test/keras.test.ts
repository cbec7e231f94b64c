// The Keras bridge against real Keras: models Keras saved (made at test time by
// test/keras/make-fixtures.py, plus two published ones) open at Keras's own accuracy, what the
// lab cannot run is refused by name, and every preset goes to Keras and back unchanged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wasmAndMnist } from './helpers/wasm-lab';
import { noKeras, runKeras } from './helpers/python';
import { runCli } from './helpers/cli';
import type { Mnist } from '../src/data/mnist';
import { openAnyModel } from '../src/keras/open';
import { scaleProbe } from '../src/keras/build';
import { exportModelFile } from '../src/keras/export-file';
import { buildModel } from '../src/models/build';
import { saveModel } from '../src/files/model-files';
import { PRESETS } from '../src/shared/presets';
import { createLabService } from '../src/lab/service';
import type { RunSummary } from '../src/shared/contract';

const SCRIPTS = join(import.meta.dirname, 'keras');
const PUBLISHED = join(import.meta.dirname, 'fixtures', 'keras');
const skip = noKeras();
let data: Mnist;
let dir: string;
let fixtures: string;
let expected: Record<string, { accuracy: number; skipped?: string; logits?: boolean; scale?: number }>;

function floats(split: Mnist['test'], count: number): Buffer {
  return Buffer.from(split.images.buffer, split.images.byteOffset, count * 784 * 4);
}

before(async () => {
  data = (await wasmAndMnist()).data;
  dir = await mkdtemp(join(tmpdir(), 'digit-lab-keras-'));
  fixtures = join(dir, 'fixtures');
  if (skip) return;
  const mnist = join(dir, 'mnist');
  await mkdir(mnist);
  await writeFile(join(mnist, 'train.f32'), floats(data.train, 1000));
  await writeFile(join(mnist, 'train.u8'), data.train.labels.subarray(0, 1000));
  await writeFile(join(mnist, 'test.f32'), floats(data.test, 2000));
  await writeFile(join(mnist, 'test.u8'), data.test.labels.subarray(0, 2000));
  runKeras(join(SCRIPTS, 'make-fixtures.py'), [mnist, fixtures], 900_000);
  expected = JSON.parse(await readFile(join(fixtures, 'expected.json'), 'utf8'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Share of the first 2,000 test images the model reads right, fed 0–1 pixels as the lab feeds them. */
function accuracy2000(model: tf.LayersModel, inputShape: number[]): number {
  return tf.tidy(() => {
    const predicted = (model.predict(tf.tensor(data.test.images.subarray(0, 2000 * 784), [2000, ...inputShape])) as tf.Tensor).argMax(-1).dataSync();
    let right = 0;
    for (let i = 0; i < 2000; i++) if (predicted[i] === data.test.labels[i]) right++;
    return right / 2000;
  });
}

async function openedAccuracy(path: string): Promise<{ accuracy: number; notes: string[] }> {
  const opened = await openAnyModel(path, scaleProbe(data.test));
  try {
    return { accuracy: accuracy2000(opened.model, opened.inputShape), notes: opened.notes };
  } finally {
    opened.model.dispose();
  }
}

test('published Keras 2 .h5 and Keras 3 .keras files read at their reference accuracy', async () => {
  for (const [file, reference] of [['crocodile-mlp-k2.h5', 0.9715], ['moonflower-cnn-k3.keras', 0.989]] as const) {
    const { accuracy, notes } = await openedAccuracy(join(PUBLISHED, file));
    assert.ok(Math.abs(accuracy - reference) <= 0.003, `${file}: ${accuracy} against Keras's ${reference}`);
    assert.match(notes.join('\n'), /input scale: 0–1 pixels/);
  }
});

test('Keras 3 .keras (Sequential, Functional, LSTM with hard_sigmoid gates) and .h5 read at the accuracy Keras measured', { skip }, async () => {
  for (const [file, want] of Object.entries(expected)) {
    const { accuracy, notes } = await openedAccuracy(join(fixtures, file));
    assert.ok(Math.abs(accuracy - want.accuracy) <= 0.003, `${file}: ${accuracy} against Keras's ${want.accuracy}`);
    const said = notes.join('\n');
    if (want.skipped) assert.match(said, new RegExp(`skipped layer '\\w+' \\(${want.skipped}\\): it does nothing at inference`), file);
    if (want.logits) assert.match(said, /ends without softmax .* the lab applies softmax/, file);
    assert.match(said, want.scale === 255 ? /input scale: raw 0–255 pixels/ : /input scale: 0–1 pixels/, file);
  }
});

test('a model the lab cannot run is refused with what is wrong, naming the file', { skip }, async () => {
  const refusals: [string, RegExp][] = [
    ['lambda.keras', /lambda\.keras: layer 'lambda\w*' \(Lambda\) is a layer the lab cannot run/],
    ['seven.h5', /seven\.h5: it gives 7 outputs; the lab needs 10/],
    ['mismatch.h5', /mismatch\.h5: the weights do not match the config: layer 'dense\w*' \(Dense\) needs weights of shapes \[784, 32\], \[32\], the file has \[784, 16\], \[16\]/],
  ];
  for (const [file, message] of refusals) await assert.rejects(openAnyModel(join(fixtures, file)), message);
});

test('a Git LFS pointer, a truncated .h5 or .keras, and a file that is no model each get their own message', async () => {
  const pointer = join(dir, 'pointer.h5');
  await writeFile(pointer, 'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'a'.repeat(64) + '\nsize 1243392\n');
  await assert.rejects(openAnyModel(pointer), /pointer\.h5: is a Git LFS pointer, not the model file/);
  const h5 = await readFile(join(PUBLISHED, 'crocodile-mlp-k2.h5'));
  await writeFile(join(dir, 'cut.h5'), h5.subarray(0, 600_000));
  await assert.rejects(openAnyModel(join(dir, 'cut.h5')), /cut\.h5: it holds 600000 bytes, but its HDF5 header says 1243392: the file is truncated/);
  const zip = await readFile(join(PUBLISHED, 'moonflower-cnn-k3.keras'));
  await writeFile(join(dir, 'cut.keras'), zip.subarray(0, 200_000));
  await assert.rejects(openAnyModel(join(dir, 'cut.keras')), /cut\.keras: .*truncated or damaged/);
  await writeFile(join(dir, 'notes.keras'), 'just some text');
  await assert.rejects(openAnyModel(join(dir, 'notes.keras')), /notes\.keras: is neither a Keras \.keras zip nor an HDF5 \.h5 file/);
});

test('digit-lab evaluate refuses an LFS pointer in one line, without a stack trace', async () => {
  const pointer = join(dir, 'lfs.keras');
  await writeFile(pointer, 'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'b'.repeat(64) + '\nsize 446274\n');
  const { code, stderr } = await runCli(['evaluate', pointer]);
  assert.equal(code, 1);
  assert.equal(stderr.trim(), `digit-lab: ${pointer}: is a Git LFS pointer, not the model file: fetch it with \`git lfs pull\``);
});

test('an imported .h5 is a run: listed with its accuracy and notes, read by Paint, exported to Keras again', async () => {
  const home = join(dir, 'home');
  const lab = await createLabService({ home });
  try {
    const base64 = (await readFile(join(PUBLISHED, 'crocodile-mlp-k2.h5'))).toString('base64');
    const run = (await lab.call('models.import', { files: [{ name: 'mlp_mnist.h5', base64 }], name: 'crocodile' })) as RunSummary;
    assert.equal(run.name, 'crocodile');
    assert.ok(Math.abs(run.accuracy! - 0.9744) < 0.01, `accuracy on the 10,000 test images: ${run.accuracy}`);
    assert.match(run.notes!.join('\n'), /input scale: 0–1 pixels/);
    const runs = (await lab.call('runs.list', null)) as RunSummary[];
    assert.deepEqual(runs.map((r) => r.runId), [run.runId]);
    const seven = data.test.images.subarray(0, 784);
    const reading = (await lab.call('predict', { model: run.runId, input: Array.from(seven) })) as { digit: number };
    assert.equal(reading.digit, data.test.labels[0]);
    const out = join(dir, 'again.keras');
    await exportModelFile(join(home, 'models', run.runId), 'keras', out);
    const back = await openedAccuracy(out);
    assert.ok(Math.abs(back.accuracy - 0.9715) <= 0.003, `exported and read back: ${back.accuracy}`);
  } finally {
    await lab.close();
  }
});

test('every preset, trained briefly, goes to Keras 3 as .keras and .h5 and back with the same predictions', { skip }, async () => {
  const count = 1000;
  const trained = 128;
  const x = tf.tensor(data.train.images.subarray(0, trained * 784), [trained, 784]);
  const y = tf.oneHot(tf.tensor1d(Array.from(data.train.labels.subarray(0, trained)), 'int32'), 10);
  const lab: Record<string, Float32Array> = {};
  const files: string[] = [];
  for (const preset of PRESETS) {
    const model = buildModel(preset.spec, { seed: 1 });
    const shape = model.inputs[0].shape.slice(1) as number[];
    await model.fit(x.reshape([trained, ...shape]), y, { epochs: 1, batchSize: 64, verbose: 0 });
    lab[preset.id] = tf.tidy(() => (model.predict(tf.tensor(data.test.images.subarray(0, count * 784), [count, ...shape])) as tf.Tensor).dataSync() as Float32Array);
    const saved = join(dir, 'presets', preset.id);
    await saveModel(model, saved, { format: 1, name: preset.id, createdAt: new Date().toISOString() });
    model.dispose();
    for (const format of ['keras', 'h5'] as const) {
      const file = join(dir, 'presets', `${preset.id}.${format}`);
      await exportModelFile(saved, format, file);
      files.push(file);
    }
  }
  tf.dispose([x, y]);
  const images = join(dir, 'presets', 'test.f32');
  await writeFile(images, floats(data.test, count));
  runKeras(join(SCRIPTS, 'predict.py'), [images, ...files], 900_000);
  const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((max, v, i) => Math.max(max, Math.abs(v - b[i])), 0);
  for (const file of files) {
    const id = file.split('/').pop()!.replace(/\.(keras|h5)$/, '');
    const bytes = await readFile(`${file}.pred.f32`);
    const keras = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    assert.equal(keras.length, count * 10, file);
    assert.ok(maxDifference(keras, lab[id]) <= 1e-4, `${file}: Keras predicts within ${maxDifference(keras, lab[id])} of the lab`);
    const opened = await openAnyModel(file);
    const back = tf.tidy(() => (opened.model.predict(tf.tensor(data.test.images.subarray(0, count * 784), [count, ...opened.inputShape])) as tf.Tensor).dataSync());
    opened.model.dispose();
    assert.ok(maxDifference(back, lab[id]) <= 1e-4, `${file}: read back by the lab within ${maxDifference(back, lab[id])}`);
  }
});
