import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelCounts, type Mnist } from '../src/data/mnist';
import { presetSpec } from '../src/shared/presets';
import type { EngineReport, TrainEvent } from '../src/shared/training';
import { fit } from '../src/training/fit';
import { wasmAndMnist } from './helpers/wasm-lab';
import { RunControl } from '../src/training/control';
import { AlreadyTrainingError, Trainer } from '../src/training/trainer';
import { shuffledOrder } from '../src/training/batches';
import { seededUniform } from '../src/models/random';

let data: Mnist;
let engine: EngineReport;
let dir: string;

before(async () => {
  ({ engine, data } = await wasmAndMnist());
  dir = await mkdtemp(join(tmpdir(), 'digit-lab-training-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('shuffled order is a permutation, repeatable by seed', () => {
  const a = shuffledOrder(1000, seededUniform(5));
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(a, shuffledOrder(1000, seededUniform(5)));
  assert.notDeepEqual(a, shuffledOrder(1000, seededUniform(6)));
});

test('fit mlp-256 on 6,000 real images: events in order, history, validation split, evaluation', async () => {
  const spec = presetSpec('mlp-256');
  spec.epochs = 2;
  const events: TrainEvent[] = [];
  const result = await fit({ spec, limit: 6000, seed: 1 }, data, { runId: 'r1', engine, emit: (e) => events.push(e) });
  const types = events.map((e) => e.type);
  assert.equal(types[0], 'start');
  assert.deepEqual(
    types.filter((t) => t !== 'batch'),
    ['start', 'epochBegin', 'epochEnd', 'epochBegin', 'epochEnd', 'evaluating'],
  );
  const start = events[0] as Extract<TrainEvent, { type: 'start' }>;
  assert.equal(start.trainCount, 4800); // Keras validation_split 0.2 of the first 6,000
  assert.equal(start.validationCount, 1200);
  const batches = events.filter((e): e is Extract<TrainEvent, { type: 'batch' }> => e.type === 'batch');
  assert.ok(batches.length >= 2);
  assert.ok(batches.every((b) => b.loss > 0 && b.acc >= 0 && b.acc <= 1 && b.msPerStep > 0 && b.samples <= 4800));
  assert.equal(batches.at(-1)?.samples, 4800);
  assert.equal(result.history.loss?.length, 2);
  assert.equal(result.history.val_acc?.length, 2);
  assert.ok(result.history.loss![1] < result.history.loss![0], `loss falls: ${result.history.loss}`);
  const { evaluation } = result;
  assert.ok(evaluation.accuracy > 0.85, `test accuracy ${evaluation.accuracy}`);
  // every confusion row sums to that label's test count (TEST_LABEL_COUNTS in src/data/files.ts)
  assert.deepEqual(
    evaluation.confusionMatrix.map((row) => row.reduce((a, b) => a + b, 0)),
    labelCounts(data.test.labels),
  );
  const wrong = 10000 - evaluation.confusionMatrix.reduce((sum, row, k) => sum + row[k], 0);
  assert.equal(evaluation.misclassified.length, wrong);
  for (let i = 1; i < evaluation.misclassified.length; i++) {
    assert.ok(evaluation.misclassified[i - 1].confidence >= evaluation.misclassified[i].confidence);
  }
  assert.ok(evaluation.misclassified.every((m) => m.label === data.test.labels[m.index] && m.label !== m.predicted));
  assert.ok(Math.abs(evaluation.accuracy - (1 - wrong / 10000)) < 1e-9);
  assert.equal(evaluation.perClass[3].support, 1010);
  assert.equal(result.params, 203530);
  assert.equal(result.stopped, false);
});

test('the same seed repeats a run with dropout on the same backend', async () => {
  const spec = presetSpec('mlp-256-dropout');
  spec.epochs = 1;
  spec.validation = { kind: 'none' };
  const run = () => fit({ spec, limit: 1000, seed: 42 }, data, { runId: 'seeded', engine, emit: () => {} });
  const [a, b] = [await run(), await run()];
  assert.deepEqual(a.history.loss, b.history.loss);
  assert.equal(a.evaluation.loss, b.evaluation.loss);
  const c = await fit({ spec, limit: 1000, seed: 43 }, data, { runId: 'other', engine, emit: () => {} });
  assert.notEqual(c.evaluation.loss, a.evaluation.loss);
});

test('stop mid-epoch keeps the model and still evaluates it', async () => {
  const spec = presetSpec('mlp-16-16');
  spec.epochs = 5;
  spec.batchSize = 50;
  const control = new RunControl();
  let batches = 0;
  const result = await fit({ spec, limit: 5000 }, data, {
    runId: 'stopped',
    engine,
    control,
    emit: (e) => {
      if (e.type === 'epochEnd' && e.epoch === 1) control.stop();
      if (e.type === 'batch') batches++;
    },
  });
  assert.equal(result.stopped, true);
  assert.equal(result.epochsCompleted, 1);
  assert.equal(result.history.loss?.length, 1);
  assert.ok(batches > 0);
  assert.ok(result.evaluation.accuracy > 0.3, `a model stopped after one epoch still reads digits: ${result.evaluation.accuracy}`);
});

test('cnn-16-36 trains on real MNIST on wasm: the loss clearly falls', async () => {
  const spec = presetSpec('cnn-16-36');
  spec.epochs = 2;
  spec.validation = { kind: 'none' };
  spec.batchSize = 100;
  const losses: number[] = [];
  const result = await fit({ spec, limit: 2000, seed: 7 }, data, {
    runId: 'cnn',
    engine,
    emit: (e) => {
      if (e.type === 'epochEnd') losses.push(e.logs.loss);
    },
  });
  assert.equal(engine.backend, 'wasm');
  assert.equal(losses.length, 2);
  assert.ok(losses[0] < 2.3 && losses[1] < losses[0] * 0.8, `epoch losses ${losses}`);
  assert.ok(result.evaluation.accuracy > 0.8, `test accuracy after 2 epochs on 2,000 images: ${result.evaluation.accuracy}`);
});

/** How long the Trainer test stays paused. */
const PAUSE_MS = 2000;

test('Trainer: runs on a worker thread, refuses a second start, pause/resume/stop (time paused is not training time), saves the model', async () => {
  const trainer = new Trainer({ backend: 'wasm' });
  try {
    const spec = presetSpec('mlp-16-16');
    spec.epochs = 3;
    spec.batchSize = 32;
    const events: TrainEvent[] = [];
    const arrived = new Map<TrainEvent, number>();
    let paused = false;
    trainer.on('event', (e) => {
      events.push(e);
      arrived.set(e, performance.now());
      if (e.type === 'batch' && e.epoch === 1 && !paused) {
        paused = true;
        trainer.pause();
      }
      if (e.type === 'paused') setTimeout(() => trainer.resume(), PAUSE_MS);
      if (e.type === 'epochEnd' && e.epoch === 2) trainer.stop();
    });
    const saveDir = join(dir, 'saved');
    const started = performance.now();
    const done = trainer.run({ spec, limit: 3000, saveDir });
    assert.throws(() => trainer.start({ spec }), AlreadyTrainingError);
    const result = await done;
    const wallSeconds = (performance.now() - started) / 1000;
    const types = events.map((e) => e.type);
    assert.ok(types.includes('paused') && types.includes('resumed'), types.join(','));
    assert.equal(result.stopped, true);
    assert.equal(result.epochsCompleted, 2);
    // the epoch that was paused, and the run, report training time only: the pause is not in them
    const begin = events.find((e) => e.type === 'epochBegin' && e.epoch === 1)!;
    const end = events.find((e) => e.type === 'epochEnd' && e.epoch === 1)!;
    const epochWall = (arrived.get(end)! - arrived.get(begin)!) / 1000;
    assert.ok(end.type === 'epochEnd' && end.seconds < epochWall - (0.8 * PAUSE_MS) / 1000, `epoch 1: ${end.type === 'epochEnd' && end.seconds} s reported, ${epochWall} s between its events, paused ${PAUSE_MS} ms`);
    assert.ok(result.durationSeconds < wallSeconds - (0.8 * PAUSE_MS) / 1000, `the run: ${result.durationSeconds} s reported, ${wallSeconds} s wall, paused ${PAUSE_MS} ms`);
    assert.equal(result.modelDir, saveDir);
    const modelJson = JSON.parse(await readFile(join(saveDir, 'model.json'), 'utf8'));
    assert.equal(modelJson.format, 'layers-model');
    assert.equal(trainer.running, null);
    // an invalid description is refused before anything starts
    const bad = presetSpec('mlp-16-16');
    bad.layers = [{ type: 'LSTM', units: 8 }, ...bad.layers];
    assert.throws(() => trainer.start({ spec: bad }), /layer 1 \(LSTM\) needs a sequence/);
    // a failure inside the worker comes back as a message, and the trainer stays usable
    await assert.rejects(trainer.run({ spec, limit: 70000 }), /limit must be a whole number from 1 to 60000/);
    assert.equal(trainer.running, null);
  } finally {
    await trainer.close();
  }
});
