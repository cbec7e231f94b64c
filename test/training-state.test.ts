// The renderer's training state (lib/training.svelte.ts), compiled by Svelte as the browser runs
// it, fed train.event streams: the batches' running means as fit reports them (from a real model's
// loss and accuracy on real MNIST batches), pause and resume, a stopped end, another run's events.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { importSvelteModule } from './helpers/svelte-module';
import { loadMnist, type Mnist } from '../src/data/mnist';
import { buildModel } from '../src/models/build';
import { presetSpec } from '../src/shared/presets';
import type { EngineReport, RunResult, TrainEvent } from '../src/shared/training';
import type { TrainingState as TrainingStateType } from '../src/renderer/src/lib/training.svelte';

const FILE = new URL('../src/renderer/src/lib/training.svelte.ts', import.meta.url).pathname;
let TrainingState: typeof TrainingStateType;
let mnist: Mnist;

before(async () => {
  ({ TrainingState } = await importSvelteModule<{ TrainingState: typeof TrainingStateType }>(FILE));
  await tf.setBackend('cpu');
  mnist = await loadMnist();
});

const spec = presetSpec('mlp-16-16');
const engine: EngineReport = { backend: 'cpu', version: tf.version_core, reason: 'test' };
const BATCH = 100;
const BATCHES = 4;

/** An untrained mlp-16-16's loss and accuracy on each of the first BATCHES batches of real MNIST. */
function batchScores(): { loss: number; acc: number }[] {
  const model = buildModel(spec, { seed: 1 });
  const scores = tf.tidy(() =>
    Array.from({ length: BATCHES }, (_, b) => {
      const x = tf.tensor2d(mnist.train.images.subarray(b * BATCH * 784, (b + 1) * BATCH * 784), [BATCH, 784]);
      const y = tf.oneHot(tf.tensor1d(mnist.train.labels.subarray(b * BATCH, (b + 1) * BATCH), 'int32'), 10);
      const p = model.predict(x) as tf.Tensor;
      const loss = tf.metrics.categoricalCrossentropy(y, p).mean().dataSync()[0];
      const acc = tf.metrics.categoricalAccuracy(y, p).mean().dataSync()[0];
      return { loss, acc };
    }),
  );
  model.dispose();
  return scores;
}

/** Batch events as fit sends them: the epoch's running means so far (throttled: not every batch). */
function batchEvents(runId: string, scores: { loss: number; acc: number }[], sent: number[]): TrainEvent[] {
  let lossSum = 0;
  let accSum = 0;
  const events: TrainEvent[] = [];
  scores.forEach((score, b) => {
    lossSum += score.loss * BATCH;
    accSum += score.acc * BATCH;
    const samples = (b + 1) * BATCH;
    if (!sent.includes(b + 1)) return;
    events.push({ type: 'batch', runId, epoch: 1, batch: b + 1, batches: BATCHES, samples, totalSamples: BATCHES * BATCH, loss: lossSum / samples, acc: accSum / samples, msPerStep: 5, etaSeconds: 1 });
  });
  return events;
}

test('the per-batch curve recovers what the batches between two events scored, from the running means', () => {
  const state = new TrainingState();
  state.reset(null, 'starting');
  const scores = batchScores();
  state.apply({ type: 'start', runId: 'r1', spec, engine, trainCount: BATCHES * BATCH, validationCount: 0, batchesPerEpoch: BATCHES });
  assert.equal(state.phase, 'training');
  assert.equal(state.runId, 'r1');
  assert.equal(state.trainCount, BATCHES * BATCH);
  assert.equal(state.epochs, spec.epochs);
  state.apply({ type: 'epochBegin', runId: 'r1', epoch: 1, epochs: spec.epochs });
  // events after batches 1, 3 and 4: the second point covers batches 2 and 3 together
  for (const event of batchEvents('r1', scores, [1, 3, 4])) state.apply(event);
  const mean = (from: number, to: number, key: 'loss' | 'acc') => scores.slice(from, to).reduce((sum, s) => sum + s[key], 0) / (to - from);
  const expected = [
    { x: 0.25, loss: mean(0, 1, 'loss'), acc: mean(0, 1, 'acc') },
    { x: 0.75, loss: mean(1, 3, 'loss'), acc: mean(1, 3, 'acc') },
    { x: 1, loss: mean(3, 4, 'loss'), acc: mean(3, 4, 'acc') },
  ];
  assert.equal(state.batchPoints.length, expected.length);
  state.batchPoints.forEach((point, i) => {
    assert.equal(point.x, expected[i].x);
    assert.ok(Math.abs(point.loss - expected[i].loss) < 1e-9, `point ${i} loss ${point.loss} vs ${expected[i].loss}`);
    assert.ok(Math.abs(point.acc - expected[i].acc) < 1e-9, `point ${i} acc ${point.acc} vs ${expected[i].acc}`);
  });
  // an untrained model reads about one digit in ten: the scores are real, not all alike
  assert.ok(scores.some((s) => s.loss !== scores[0].loss));
  assert.equal(state.batch?.batch, BATCHES);
});

test('pause, resume, an epoch logged twice, and a stopped run', () => {
  const state = new TrainingState();
  state.reset('r2', 'starting');
  assert.equal(state.running, true);
  state.apply({ type: 'start', runId: 'r2', spec, engine, trainCount: 10, validationCount: 0, batchesPerEpoch: 1 });
  state.apply({ type: 'paused', runId: 'r2' });
  assert.equal(state.phase, 'paused');
  assert.equal(state.running, true);
  state.apply({ type: 'resumed', runId: 'r2' });
  assert.equal(state.phase, 'training');
  const logs = (loss: number) => ({ loss, acc: 0.5 });
  state.apply({ type: 'epochEnd', runId: 'r2', epoch: 1, epochs: 3, logs: logs(2), seconds: 1, msPerStep: 3 });
  state.apply({ type: 'epochEnd', runId: 'r2', epoch: 1, epochs: 3, logs: logs(1.5), seconds: 1, msPerStep: 3 });
  state.apply({ type: 'epochEnd', runId: 'r2', epoch: 2, epochs: 3, logs: logs(1), seconds: 1, msPerStep: 3 });
  assert.deepEqual(state.epochLog.map((e) => [e.epoch, e.logs.loss]), [[1, 1.5], [2, 1]]);
  state.apply({ type: 'evaluating', runId: 'r2' });
  assert.equal(state.phase, 'evaluating');
  const result = { runId: 'r2', spec, stopped: true, epochsCompleted: 2 } as RunResult;
  state.apply({ type: 'done', runId: 'r2', result });
  assert.equal(state.phase, 'stopped');
  assert.equal(state.running, false);
  assert.equal(state.result?.epochsCompleted, 2);
});

test("another run's events are ignored until it starts; a run that fails before it starts ends the wait", () => {
  const state = new TrainingState();
  state.reset('mine', 'training');
  state.apply({ type: 'paused', runId: 'other' });
  state.apply({ type: 'failed', runId: 'other', message: 'not mine' });
  assert.equal(state.phase, 'training');
  assert.equal(state.message, '');
  state.apply({ type: 'start', runId: 'other', spec, engine, trainCount: 5, validationCount: 1, batchesPerEpoch: 1 });
  assert.equal(state.runId, 'other', 'a new run that starts is followed');
  assert.equal(state.validationCount, 1);

  const waiting = new TrainingState();
  waiting.reset(null, 'starting');
  waiting.apply({ type: 'failed', runId: 'r3', message: 'the training worker crashed' });
  assert.equal(waiting.runId, 'r3');
  assert.equal(waiting.phase, 'failed');
  assert.equal(waiting.message, 'the training worker crashed');
});
