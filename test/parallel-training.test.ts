import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import type { Mnist } from '../src/data/mnist';
import { buildModel } from '../src/models/build';
import { seededUniform } from '../src/models/random';
import { INPUT_SHAPES, type ModelSpec } from '../src/shared/model-spec';
import { presetSpec } from '../src/shared/presets';
import type { EngineReport, RunResult, TrainEvent } from '../src/shared/training';
import { BatchMaker, shuffledOrder, slice } from '../src/training/batches';
import { RunControl } from '../src/training/control';
import { fit } from '../src/training/fit';
import { wasmAndMnist } from './helpers/wasm-lab';
import { liveReplicas } from '../src/training/replica';
import { createStepper, resolveWorkers } from '../src/training/stepper';

/** Splitting a batch only reorders float sums: the two runs agree to rounding. */
const LOSS_TOLERANCE = 1e-4;
// Adam divides by sqrt(v): float32 sums taken in halves move near-zero-gradient weights by up to lr a step.
const PROBABILITY_TOLERANCE = 5e-3;

let data: Mnist;
let engine: EngineReport;

before(async () => {
  ({ engine, data } = await wasmAndMnist());
});

function withoutDropout(id: string): ModelSpec {
  const spec = presetSpec(id);
  spec.layers = spec.layers.filter((layer) => layer.type !== 'Dropout');
  return spec;
}

function close(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a));
}

test("'auto' is two workers for convolutions and recurrences on two or more cores with wasm or cpu, one otherwise", () => {
  const cores = availableParallelism() >= 2 ? 2 : 1;
  const cnn = presetSpec('cnn-16-36');
  const lstm = presetSpec('lstm-128');
  const mlp = presetSpec('mlp-256');
  assert.equal(resolveWorkers('auto', 'wasm', cnn), cores);
  assert.equal(resolveWorkers(undefined, 'cpu', lstm), cores);
  assert.equal(resolveWorkers('auto', 'wasm', mlp), 1);
  assert.equal(resolveWorkers(1, 'wasm', cnn), 1);
  assert.equal(resolveWorkers(2, 'wasm', mlp), 2);
  assert.equal(resolveWorkers(2, 'tensorflow', cnn), 1);
});

test('cnn-16-36 without dropout: 2 workers follow 1 worker step by step on real MNIST, and predict alike', async () => {
  const spec = withoutDropout('cnn-16-36');
  spec.batchSize = 100;
  const inputShape = [...INPUT_SHAPES[spec.input]];
  const examples = slice(data.train, 0, 800);
  const order = shuffledOrder(examples.count, seededUniform(3));
  const probe = slice(data.test, 0, 301); // odd, so the halves differ in size
  const runs: { losses: number[]; accs: number[]; probabilities: Float32Array }[] = [];
  for (const workers of [1, 2] as const) {
    const model = buildModel(spec, { seed: 11 });
    const stepper = await createStepper(model, { workers, backend: engine.backend, spec, seed: 11, inputShape });
    try {
      assert.equal(stepper.workers, workers);
      const maker = new BatchMaker(examples, spec.batchSize, inputShape);
      const losses: number[] = [];
      const accs: number[] = [];
      for (let b = 0; b < maker.batches(); b++) {
        const { loss, acc } = await stepper.trainBatch(maker.fill(order, b));
        losses.push(loss);
        accs.push(acc);
      }
      runs.push({ losses, accs, probabilities: await stepper.predict(probe.images, probe.count) });
    } finally {
      await stepper.dispose();
      model.dispose();
    }
  }
  const [one, two] = runs;
  const what = `1 worker ${one.losses.map((l) => l.toFixed(5))}, 2 workers ${two.losses.map((l) => l.toFixed(5))}`;
  one.losses.forEach((loss, i) => assert.ok(close(loss, two.losses[i], LOSS_TOLERANCE), what));
  one.accs.forEach((acc, i) => assert.ok(Math.abs(acc - two.accs[i]) <= 0.011, `accuracies ${one.accs} vs ${two.accs}`));
  assert.ok(one.losses.at(-1)! < one.losses[0] - 0.3, `the loss falls: ${what}`);
  assert.equal(two.probabilities.length, probe.count * 10);
  const worst = Math.max(...one.probabilities.map((p, i) => Math.abs(p - two.probabilities[i])));
  assert.ok(worst <= PROBABILITY_TOLERANCE, `probabilities differ by up to ${worst}`);
  assert.equal(liveReplicas(), 0);
});

test('fit with 2 workers: same epoch logs and evaluation as 1 worker, workers reported, replica gone', async () => {
  const spec = withoutDropout('mlp-256');
  spec.epochs = 2;
  const results: RunResult[] = [];
  for (const workers of [1, 2] as const) {
    const events: TrainEvent[] = [];
    results.push(await fit({ spec, limit: 3000, seed: 5, workers }, data, { runId: `w${workers}`, engine, emit: (e) => events.push(e) }));
    const start = events[0] as Extract<TrainEvent, { type: 'start' }>;
    assert.equal(start.engine.workers, workers);
    const batches = events.filter((e): e is Extract<TrainEvent, { type: 'batch' }> => e.type === 'batch');
    assert.equal(batches.at(-1)?.samples, 2400);
  }
  const [one, two] = results;
  assert.equal(two.engine.workers, 2);
  for (const key of ['loss', 'acc', 'val_loss', 'val_acc'] as const) {
    one.history[key]!.forEach((v, i) => assert.ok(close(v, two.history[key]![i], LOSS_TOLERANCE), `${key}: ${one.history[key]} vs ${two.history[key]}`));
  }
  assert.ok(two.history.loss![1] < two.history.loss![0]);
  assert.ok(close(one.evaluation.loss, two.evaluation.loss, LOSS_TOLERANCE));
  assert.equal(liveReplicas(), 0);
});

test('2 workers: pause, resume and stop still work, and the replica is stopped with the run', async () => {
  const spec = presetSpec('mlp-16-16');
  spec.epochs = 4;
  spec.batchSize = 50;
  const control = new RunControl();
  const types: string[] = [];
  let paused = false;
  const result = await fit({ spec, limit: 3000, seed: 2, workers: 2 }, data, {
    runId: 'controlled',
    engine,
    control,
    emit: (e) => {
      types.push(e.type);
      if (e.type === 'batch' && !paused) {
        paused = true;
        control.pause();
        assert.equal(liveReplicas(), 1);
      }
      if (e.type === 'paused') setTimeout(() => control.resume(), 50);
      if (e.type === 'epochEnd' && e.epoch === 2) control.stop();
    },
  });
  assert.ok(types.includes('paused') && types.includes('resumed'), types.join(','));
  assert.equal(result.stopped, true);
  assert.equal(result.epochsCompleted, 2);
  assert.ok(result.evaluation.accuracy > 0.5, `test accuracy ${result.evaluation.accuracy}`);
  assert.equal(liveReplicas(), 0);
});
