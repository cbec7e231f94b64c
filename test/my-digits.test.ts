// My digits ("Right digit?" in the Paint view): the store in the lab's home, the calls that list, add,
// delete and evaluate on them, and fine-tuning on MNIST plus My digits, all on real MNIST
// digits and a real trained model.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { createLabService, type LabService } from '../src/lab/service';
import { MyDigitsStore, MY_DIGITS_DIR } from '../src/files/my-digits';
import type { MyDigitsEvaluation, MyDigitsList, MyDigitSummary, Prediction } from '../src/shared/contract';
import { presetSpec } from '../src/shared/presets';
import type { RunResult, TrainEvent } from '../src/shared/training';
import { loadMnist, type Mnist } from '../src/data/mnist';
import { runCli } from './helpers/cli';

let mnist: Mnist;
const homes: string[] = [];

before(async () => {
  mnist = await loadMnist();
});
after(async () => {
  await lab?.close();
  for (const home of homes) await rm(home, { recursive: true, force: true });
});

async function newHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'digit-lab-my-digits-'));
  homes.push(home);
  return home;
}

const testPixels = (index: number) => Array.from(mnist.test.pixels.subarray(index * 784, (index + 1) * 784));
const testInput = (index: number) => Array.from(mnist.test.images.subarray(index * 784, (index + 1) * 784));

/** MNIST test image `index` as a pad would save it: black on white, 4× larger. */
function drawingOf(index: number): Buffer {
  const png = new PNG({ width: 112, height: 112 });
  const pixels = testPixels(index);
  for (let y = 0; y < 112; y++) {
    for (let x = 0; x < 112; x++) {
      const v = 255 - pixels[Math.floor(y / 4) * 28 + Math.floor(x / 4)];
      png.data.set([v, v, v, 255], (y * 112 + x) * 4);
    }
  }
  return PNG.sync.write(png);
}

test('the store: add, list, delete, and everything is there after reopening', async () => {
  const home = await newHome();
  const store = new MyDigitsStore(home);
  assert.deepEqual(await store.list(), []);
  const seven = await store.add({ label: 7, pixels: testPixels(0), png: drawingOf(0) });
  const two = await store.add({ label: 2, pixels: testPixels(1) });
  const one = await store.add({ label: 1, pixels: testPixels(2) });
  assert.deepEqual((await store.list()).map((d) => d.label), [7, 2, 1]);
  assert.equal(seven.hasDrawing, true);
  assert.equal(two.hasDrawing, false);
  assert.ok(existsSync(join(home, MY_DIGITS_DIR, `${seven.id}.png`)));
  assert.deepEqual(await store.drawing(seven.id), new Uint8Array(drawingOf(0)));
  assert.equal(await store.drawing(two.id), null);

  assert.equal(await store.delete(two.id), true);
  assert.equal(await store.delete(two.id), false);

  const reopened = new MyDigitsStore(home);
  const kept = await reopened.list();
  assert.deepEqual(kept.map((d) => [d.id, d.label]), [
    [seven.id, 7],
    [one.id, 1],
  ]);
  assert.deepEqual(Array.from(kept[0].pixels), testPixels(0));
  assert.ok(!Number.isNaN(Date.parse(kept[0].addedAt)));
  assert.equal(reopened.damaged, null);

  await reopened.delete(seven.id);
  assert.equal(existsSync(join(home, MY_DIGITS_DIR, `${seven.id}.png`)), false, 'the drawing goes with its digit');
  assert.deepEqual(
    (await readdir(join(home, MY_DIGITS_DIR))).filter((name) => name.endsWith('.tmp')),
    [],
    'no temp file is left behind',
  );
});

test('the store: adds asked at once are all kept, in order', async () => {
  const store = new MyDigitsStore(await newHome());
  await Promise.all(Array.from({ length: 12 }, (_, i) => store.add({ label: mnist.test.labels[i], pixels: testPixels(i) })));
  const reopened = await new MyDigitsStore(store.dir.replace(/\/my-digits$/, '')).list();
  assert.deepEqual(
    reopened.map((d) => d.label),
    Array.from(mnist.test.labels.subarray(0, 12)),
  );
});

test('the store: a damaged index is kept aside and the lab goes on with none', async () => {
  const home = await newHome();
  const store = new MyDigitsStore(home);
  await store.add({ label: 3, pixels: testPixels(3) });
  await writeFile(store.indexPath, '{"format": 1, "digits": [ {"id": "x"');
  const reopened = new MyDigitsStore(home);
  assert.deepEqual(await reopened.list(), []);
  assert.match(reopened.damaged ?? '', /index\.json could not be read .*kept as .*index\.json\.damaged-\d+/);
  const aside = (await readdir(reopened.dir)).filter((name) => name.startsWith('index.json.damaged-'));
  assert.equal(aside.length, 1);
  assert.equal(await readFile(join(reopened.dir, aside[0]), 'utf8'), '{"format": 1, "digits": [ {"id": "x"', 'kept as it was');
  await reopened.add({ label: 4, pixels: testPixels(4) });
  assert.deepEqual((await new MyDigitsStore(home).list()).map((d) => d.label), [4]);
});

test('the store refuses bad input with a message naming it', async () => {
  const store = new MyDigitsStore(await newHome());
  const pixels = testPixels(0);
  await assert.rejects(store.add({ label: 10, pixels }), /^MyDigitsError: label must be a whole number from 0 to 9, got 10$/);
  await assert.rejects(store.add({ label: 2.5, pixels }), /label must be a whole number from 0 to 9, got 2.5/);
  await assert.rejects(store.add({ label: 1, pixels: pixels.slice(1) }), /pixels must hold exactly 784 values \(28×28\), got 783/);
  await assert.rejects(store.add({ label: 1, pixels: [...pixels.slice(1), 256] }), /pixels\[783\] must be a whole number from 0 to 255, got 256/);
  await assert.rejects(store.add({ label: 1, pixels, png: new Uint8Array([1, 2, 3]) }), /png is not a PNG image/);
  assert.deepEqual(await store.list(), []);
  assert.equal(existsSync(store.indexPath), false, 'nothing was written');
});

// ---- through the lab's calls ----------------------------------------------------------------

let home: string;
let lab: LabService;
const call = <T>(name: string, args: unknown = null) => lab.call(name, args) as Promise<T>;

async function trainToEnd(request: object): Promise<{ result: RunResult; events: TrainEvent[] }> {
  const events: TrainEvent[] = [];
  let off = () => {};
  const end = new Promise<TrainEvent>((resolve) => {
    off = lab.on('train.event', (event) => {
      events.push(event);
      if (event.type === 'done' || event.type === 'failed') resolve(event);
    });
  });
  await call('train.start', request);
  const last = await end;
  off();
  if (last.type !== 'done') throw new Error(last.type === 'failed' ? last.message : last.type);
  return { result: last.result, events };
}

/** MNIST test images 0..N-1, saved as My digits with their own labels. */
const SAVED = 40;

test('the calls: add real test digits, list them, evaluate a trained model on them as predict reads them', async (t) => {
  home = await newHome();
  lab = await createLabService({ home, cacheDir: join(home, 'cache') });
  await assert.rejects(call('digits.evaluate', { model: 'latest' }), /there are no My digits to evaluate on yet/);
  const spec = { ...presetSpec('mlp-16-16'), epochs: 1, batchSize: 32 };
  await trainToEnd({ spec, limit: 6000, seed: 3 });

  for (let i = 0; i < SAVED; i++) {
    const png = i === 0 ? drawingOf(0).toString('base64') : undefined;
    const added = await call<MyDigitSummary>('digits.add', { label: mnist.test.labels[i], input: testInput(i), ...(png ? { png } : {}) });
    assert.equal(added.label, mnist.test.labels[i]);
    assert.deepEqual(Array.from(Buffer.from(added.pixels, 'base64')), testPixels(i), 'stored as the bytes MNIST has');
  }
  const list = await call<MyDigitsList>('digits.list');
  assert.equal(list.digits.length, SAVED);
  assert.equal(list.notice, undefined);
  assert.deepEqual([list.digits[0].hasDrawing, list.digits[1].hasDrawing], [true, false]);

  const evaluation = await call<MyDigitsEvaluation>('digits.evaluate', { model: 'latest' });
  assert.equal(evaluation.count, SAVED);
  let right = 0;
  const matrix = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  for (let i = 0; i < SAVED; i++) {
    const prediction = await call<Prediction>('predict', { model: 'latest', input: testInput(i) });
    assert.equal(evaluation.predictions[i].predicted, prediction.digit, `digit ${i}`);
    assert.equal(evaluation.predictions[i].id, list.digits[i].id);
    assert.ok(Math.abs(evaluation.predictions[i].confidence - prediction.probabilities[prediction.digit]) < 1e-5);
    if (prediction.digit === mnist.test.labels[i]) right++;
    matrix[mnist.test.labels[i]][prediction.digit]++;
  }
  assert.equal(evaluation.accuracy, right / SAVED);
  assert.deepEqual(evaluation.confusionMatrix, matrix);
  assert.ok(evaluation.accuracy > 0.5, `a trained model reads most of them (${evaluation.accuracy})`);
  t.diagnostic(`accuracy on ${SAVED} My digits (MNIST test 0–${SAVED - 1}): ${evaluation.accuracy}`);
  assert.deepEqual(await call<MyDigitsEvaluation>('digits.evaluate', { model: evaluation.runId }), evaluation);
});

test('the calls: bad arguments are refused with the call and field named; delete; a restart keeps them', async () => {
  const input = testInput(0);
  const refused = async (args: unknown, pattern: RegExp) => {
    const reply = await lab.answer('digits.add', args);
    assert.ok('error' in reply, JSON.stringify(args).slice(0, 80));
    assert.match(reply.error, pattern);
  };
  await refused({ label: 10, input }, /^digits\.add\.label must be a whole number from 0 to 9, got 10/);
  await refused({ label: 3, input: input.slice(1) }, /^digits\.add\.input must be a list of 784 numbers/);
  await refused({ label: 3, input: [...input.slice(1), 1.5] }, /^digits\.add\.input must hold numbers from 0 to 1/);
  await refused({ label: 3, input, png: 'not base64!' }, /^digits\.add\.png has an invalid form/);
  await refused({ label: 3, input, png: Buffer.from('GIF89a').toString('base64') }, /^digits\.add\.png is not a PNG image/);
  await refused({ label: 3 }, /^digits\.add\.input is required/);
  assert.match(((await lab.answer('digits.delete', { id: 'no-such-digit' })) as { error: string }).error, /there is no My digit no-such-digit/);
  assert.match(((await lab.answer('digits.evaluate', { model: 'no-such-run' })) as { error: string }).error, /there is no run no-such-run/);

  const before = (await call<MyDigitsList>('digits.list')).digits;
  assert.equal(before.length, SAVED, 'nothing refused was kept');
  await call('digits.delete', { id: before[0].id });
  assert.equal(existsSync(join(home, MY_DIGITS_DIR, `${before[0].id}.png`)), false);

  await lab.close();
  lab = await createLabService({ home, cacheDir: join(home, 'cache') });
  const after = (await call<MyDigitsList>('digits.list')).digits;
  assert.deepEqual(after, before.slice(1));
  // one back, for the fine-tuning test
  await call('digits.add', { label: mnist.test.labels[0], input });
});

test('fine-tuning with myDigits adds them to every epoch (repeated as asked); initFrom starts from a saved run', async (t) => {
  const count = (await call<MyDigitsList>('digits.list')).digits.length;
  assert.equal(count, SAVED);
  const spec = { ...presetSpec('mlp-16-16'), epochs: 1, batchSize: 100, validation: { kind: 'none' } as const };
  const plain = await trainToEnd({ spec, limit: 500, seed: 5 });
  const start = (events: TrainEvent[]) => events.find((e) => e.type === 'start') as Extract<TrainEvent, { type: 'start' }>;
  const lastBatch = (events: TrainEvent[]) => events.findLast((e) => e.type === 'batch') as Extract<TrainEvent, { type: 'batch' }>;
  assert.equal(start(plain.events).trainCount, 500);
  assert.equal(lastBatch(plain.events).samples, 500);
  assert.equal(plain.result.myDigitsCount, undefined);

  const mine = await trainToEnd({ spec, limit: 500, seed: 5, myDigits: true });
  assert.equal(start(mine.events).trainCount, 500 + count);
  assert.equal(lastBatch(mine.events).samples, 500 + count, 'every sample of the epoch was trained on');
  assert.equal(lastBatch(mine.events).totalSamples, 500 + count);
  assert.equal(start(mine.events).batchesPerEpoch, Math.ceil((500 + count) / 100));
  assert.deepEqual([mine.result.trainCount, mine.result.myDigitsCount], [500 + count, count]);

  const repeated = await trainToEnd({ spec: { ...spec, epochs: 3 }, limit: 500, seed: 5, myDigits: true, myDigitsRepeat: 3, initFrom: mine.result.runId });
  assert.equal(lastBatch(repeated.events).samples, 500 + 3 * count);
  assert.equal(repeated.events.filter((e) => e.type === 'epochEnd').length, 3);
  assert.equal(repeated.result.myDigitsCount, 3 * count);
  // started from that model, three more epochs that see each My digit 3 times read them better
  const fresh = await call<MyDigitsEvaluation>('digits.evaluate', { model: mine.result.runId });
  const tuned = await call<MyDigitsEvaluation>('digits.evaluate', { model: repeated.result.runId });
  assert.ok(tuned.accuracy > fresh.accuracy, `fine-tuned ${tuned.accuracy} vs ${fresh.accuracy}`);
  t.diagnostic(`My digits read right: ${fresh.accuracy} after one epoch with them, ${tuned.accuracy} after 3 more from those weights with them ×3`);

  // a model of other layers cannot start from it; a run that is not there is named
  const other = { ...presetSpec('mlp-256'), epochs: 1, validation: { kind: 'none' } as const };
  await assert.rejects(trainToEnd({ spec: other, limit: 200, initFrom: mine.result.runId }), /initFrom: the saved model's weights .* do not fit this model's/);
  await assert.rejects(call('train.start', { spec, limit: 200, initFrom: 'no-such-run' }), /there is no run no-such-run/);
  await assert.rejects(call('train.start', { spec, myDigits: 'yes' }), /^LabError: train\.start\.myDigits must be true or false/);
  await assert.rejects(call('train.start', { spec, myDigits: true, myDigitsRepeat: 0 }), /train\.start\.myDigitsRepeat must be a whole number from 1 to 100/);

  for (const digit of (await call<MyDigitsList>('digits.list')).digits) await call('digits.delete', { id: digit.id });
  await assert.rejects(call('train.start', { spec, myDigits: true }), /there are no My digits yet/);
  await lab.close();
});

test('the command line: train --my-digits adds the My digits kept in the lab home, repeated as asked', async () => {
  const cliHome = await newHome();
  const store = new MyDigitsStore(cliHome);
  const run = (...args: string[]) => runCli(args, cliHome);
  const none = await run('train', 'mlp-16-16', '--epochs', '1', '--limit', '200', '--my-digits', '--out', join(cliHome, 'none'));
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /--my-digits: there are no My digits in .*my-digits yet/);
  assert.match((await run('train', 'mlp-16-16', '--my-digits-repeat', '2')).stderr, /--my-digits-repeat goes with --my-digits/);

  for (let i = 0; i < 5; i++) await store.add({ label: mnist.test.labels[i], pixels: testPixels(i) });
  const out = join(cliHome, 'tuned');
  const trained = await run('train', 'mlp-16-16', '--epochs', '1', '--limit', '200', '--validation-split', '0', '--my-digits', '--my-digits-repeat', '2', '--out', out);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /^Train on 210 samples$/m);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as RunResult;
  assert.deepEqual([report.trainCount, report.myDigitsCount], [210, 10]);
});
