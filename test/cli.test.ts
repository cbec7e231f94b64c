import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { embeddedDir } from '../src/data/mnist';
import { TEST_LABEL_COUNTS } from '../src/data/files';
import { parseIdxImages, parseIdxLabels } from '../src/data/idx';
import { encodePng } from '../src/files/images';
import { paintStyle } from './helpers/digits';
import { BIN, runCli } from './helpers/cli';

let home: string;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'digit-lab-cli-'));
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

const run = (...args: string[]) => runCli(args, home);

test('models and summary', async () => {
  const models = await run('models', '--json');
  assert.equal(models.code, 0, models.stderr);
  const rows = JSON.parse(models.stdout) as { id: string; params: number }[];
  assert.equal(rows.find((r) => r.id === 'cnn-16-36')?.params, 242062);
  const summary = await run('summary', 'cnn-16-36');
  assert.equal(summary.code, 0);
  assert.match(summary.stdout, /conv2d_2 \(Conv2D\) +\(None, 14, 14, 36\) +14436/);
  assert.match(summary.stdout, /Total params: 242,062/);
});

test('data: embedded, verified, shapes and label counts', async () => {
  const data = await run('data', '--json');
  assert.equal(data.code, 0, data.stderr);
  const doc = JSON.parse(data.stdout);
  assert.equal(doc.source, 'embedded');
  assert.equal(doc.verified, true);
  assert.deepEqual(doc.shapes.x_train, [60000, 28, 28]);
  assert.deepEqual(doc.testLabelCounts, TEST_LABEL_COUNTS);
  const text = await run('data');
  assert.match(text.stdout, /first training label: 5, one-hot 0000010000/);
});

test('train a CNN, then evaluate it and read Paint-style PNGs with it; plain tfjs agrees', async () => {
  const out = join(home, 'cnn');
  const train = await run('train', 'cnn-16-16', '--epochs', '2', '--batch-size', '100', '--limit', '12000', '--seed', '1', '--backend', 'wasm', '--out', out);
  assert.equal(train.code, 0, train.stderr);
  assert.match(train.stdout, /Total params: 108,602/);
  assert.match(train.stdout, /Backend: wasm/);
  // 'auto' threads, and why: one per core (on one core, one thread for them all)
  assert.match(train.stdout, /Threads: (\d+ training threads?: one per core|\d+ training threads? on \d+ cores: each keeps at least \d+ samples of a batch of 100)\n/);
  assert.match(train.stdout, /Epoch 2\/2\n9600\/9600 \[=+\] - \d+s \d+ms\/step - loss: [\d.]+ - acc: [\d.]+ - val_loss: [\d.]+ - val_acc: [\d.]+/);
  const accuracy = Number(/accuracy = ([\d.]+)%/.exec(train.stdout)?.[1]);
  assert.ok(accuracy > 95, `test accuracy ${accuracy}%`);
  assert.match(train.stdout, /predict +0 +1 +2 +3 +4 +5 +6 +7 +8 +9\nlabel\n0 /);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
  assert.deepEqual(report.evaluation.confusionMatrix.map((row: number[]) => row.reduce((a, b) => a + b, 0)), TEST_LABEL_COUNTS);

  const evaluate = await run('evaluate', out, '--json');
  assert.equal(evaluate.code, 0, evaluate.stderr);
  const evaluation = JSON.parse(evaluate.stdout);
  assert.equal(evaluation.accuracy, report.evaluation.accuracy);
  assert.equal(evaluation.confusionMatrix.length, 10);
  assert.equal(evaluation.perClass.length, 10);

  // Paint-style PNGs: real MNIST test digits, 280×280, black on white, as Paint saves them
  const pixels = parseIdxImages(new Uint8Array(await readFile(join(embeddedDir(), 't10k-images-idx3-ubyte'))), 't10k').pixels;
  const labels = parseIdxLabels(new Uint8Array(await readFile(join(embeddedDir(), 't10k-labels-idx1-ubyte'))), 't10k');
  const files: string[] = [];
  for (let i = 0; i < 10; i++) {
    const file = join(home, `paint-${i}.png`);
    await writeFile(file, encodePng(paintStyle(pixels, i, 280, { x: (i % 3) * 20 - 20, y: 10 })));
    files.push(file);
  }
  const predict = await run('predict', out, ...files, '--json');
  assert.equal(predict.code, 0, predict.stderr);
  const readings = JSON.parse(predict.stdout) as { file: string; digit: number; probabilities: number[] }[];
  assert.deepEqual(readings.map((r) => r.file), files);
  const right = readings.filter((r, i) => r.digit === labels[i]).length;
  assert.ok(right >= 9, `read ${right} of 10 Paint-style digits right: ${readings.map((r) => r.digit)} vs ${[...labels.subarray(0, 10)]}`);
  for (const r of readings) assert.ok(Math.abs(r.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);

  // plain @tensorflow/tfjs, no lab code in the loading path, gives the same reading
  const json = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
  const weights = await readFile(join(out, 'weights.bin'));
  const plain = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }));
  const first = tf.tensor(Float32Array.from(pixels.subarray(0, 784), (v) => v / 255), [1, 28, 28, 1]);
  const direct = (plain.predict(first) as tf.Tensor).argMax(-1).dataSync()[0];
  assert.equal(direct, labels[0]);
  const text = await run('predict', out, files[0]);
  assert.match(text.stdout, new RegExp(`paint-0\\.png: ${labels[0]} \\(\\d+\\.\\d+%\\)`));
});

test("bench: a preset's training speed, and the paint pad's reading path timed through the lab and its WebSocket", async () => {
  const bench = await run('bench', '--quick', '--preset', 'mlp-256', '--json');
  assert.equal(bench.code, 0, bench.stderr);
  const report = JSON.parse(bench.stdout);
  const row = report.rows.find((r: { backend: string }) => r.backend === 'wasm');
  assert.equal(row.preset, 'mlp-256');
  assert.ok(row.samplesPerSecond > 0);
  const paint = report.paint;
  assert.deepEqual([paint.model, paint.drawing, paint.readings], ['cnn-16-36', '560×560 RGBA', 300]);
  for (const key of ['preprocessMs', 'inProcessMs', 'webSocketMs']) {
    assert.ok(paint[key].p50 > 0 && paint[key].p95 >= paint[key].p50, `${key}: ${JSON.stringify(paint[key])}`);
  }
});


test('wrong presets, flags, paths, images and models: one clear line on stderr, non-zero exit', async () => {
  const cases: [string[], RegExp][] = [
    [['train', 'cnn-99'], /^digit-lab: unknown preset "cnn-99"; the presets are: mlp-16-16/],
    [['train', 'mlp-256', '--epochs', 'zero'], /^digit-lab: --epochs must be a whole number from 1 to 1000, got "zero"/],
    [['train', 'mlp-256', '--optimizer', 'adagrad'], /^digit-lab: --optimizer must be one of sgd, adam, rmsprop, got "adagrad"/],
    [['train', 'mlp-256', '--workers', '1.5'], /^digit-lab: --workers must be auto or a whole number from 1 to 64, got "1\.5"/],
    [['train', 'mlp-256', '--bogus'], /^digit-lab: train: Unknown option '--bogus'/],
    [['frobnicate'], /^digit-lab: unknown command "frobnicate"/],
    [['evaluate', join(home, 'nowhere')], /^digit-lab: .*nowhere\/model\.json: the model file model\.json is missing/],
    [['predict', join(home, 'cnn'), join(home, 'missing.png')], /^digit-lab: .*missing\.png: no such file/],
    [['predict', join(home, 'cnn'), BIN], /^digit-lab: .*digit-lab\.js: is not a PNG, JPEG or BMP image/],
    [['summary'], /^digit-lab: summary takes one preset id/],
  ];
  for (const [args, message] of cases) {
    const result = await run(...args);
    const stderr = result.stderr;
    assert.notEqual(result.code, 0, args.join(' '));
    assert.match(stderr, message, args.join(' '));
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  }
  const blank = join(home, 'blank.png');
  await writeFile(blank, encodePng({ width: 50, height: 50, channels: 1, data: new Uint8Array(2500).fill(255) }));
  const result = await run('predict', join(home, 'cnn'), blank);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /blank\.png: the image is blank/);
});
