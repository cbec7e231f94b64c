import { before, test } from 'node:test';
import assert from 'node:assert/strict';
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
import { withSeededRandom } from '../src/training/seeded-random';
import { liveReplicas } from '../src/training/replica';
import { createStepper, shares } from '../src/training/stepper';
import { MIN_SHARE, planWorkers, workersReasonText } from '../src/training/workers-plan';

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

test("'auto' is one thread per core for convolutions and recurrences, each keeping a share of the batch; one for dense-only models and on tensorflow", () => {
  const cnn = presetSpec('cnn-16-36'); // batch 300
  const lstm = presetSpec('lstm-128'); // batch 128
  const mlp = presetSpec('mlp-256');
  assert.deepEqual(planWorkers('auto', 'wasm', cnn, 8), { workers: 8, why: { key: 'cores', params: { cores: 8 } } });
  assert.deepEqual(planWorkers(undefined, 'cpu', lstm, 2), { workers: 2, why: { key: 'cores', params: { cores: 2 } } });
  // 128 / 16 = 8 threads on a 16-core machine, and it says why
  assert.deepEqual(planWorkers('auto', 'wasm', lstm, 16), { workers: lstm.batchSize / MIN_SHARE, why: { key: 'batchShare', params: { cores: 16, batch: 128, share: MIN_SHARE } } });
  assert.equal(planWorkers('auto', 'wasm', cnn, 1).workers, 1);
  assert.deepEqual(planWorkers('auto', 'wasm', mlp, 8), { workers: 1, why: { key: 'denseOnly', params: {} } });
  assert.deepEqual(planWorkers(3, 'wasm', mlp, 2), { workers: 3, why: { key: 'forced', params: { asked: 3 } } });
  const native = planWorkers(4, 'tensorflow', cnn, 8);
  assert.deepEqual(native, { workers: 1, why: { key: 'native', params: { asked: 4 } } });
  assert.match(workersReasonText(native.workers, native.why, 'tensorflow'), /--workers 4 does not apply to tensorflow/);
  const gpu = planWorkers(4, 'webgpu', cnn, 8);
  assert.deepEqual(gpu, { workers: 1, why: { key: 'gpu', params: { asked: 4 } } });
  assert.match(workersReasonText(gpu.workers, gpu.why, 'webgpu'), /--workers 4 does not apply to webgpu: the GPU runs each step/);
  assert.match(workersReasonText(16, { key: 'batchShare', params: { cores: 64, batch: 256, share: 16 } }, 'wasm'), /16 training threads on 64 cores: each keeps at least 16 samples of a batch of 256/);
  assert.deepEqual(shares(10, 4), [3, 3, 2, 2]);
  assert.deepEqual(shares(2, 3), [1, 1, 0]);
});

interface Steps {
  losses: number[];
  accs: number[];
  probabilities: Float32Array;
}

/** A few steps of `spec` on real MNIST with `workers` threads, then its predictions on a probe set. */
async function steps(spec: ModelSpec, workers: number, count: number, seed: number): Promise<Steps> {
  const inputShape = [...INPUT_SHAPES[spec.input]];
  const examples = slice(data.train, 0, count);
  const order = shuffledOrder(examples.count, seededUniform(3));
  const probe = slice(data.test, 0, 101); // prime, so the shares differ in size
  return withSeededRandom(seed, async () => {
    const model = buildModel(spec, { seed });
    const stepper = await createStepper(model, { workers, backend: engine.backend, spec, seed, inputShape });
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
      return { losses, accs, probabilities: await stepper.predict(probe.images, probe.count) };
    } finally {
      await stepper.dispose();
      model.dispose();
    }
  });
}

function assertFollows(one: Steps, other: Steps, workers: number, batchSize: number): void {
  const what = `1 thread ${one.losses.map((l) => l.toFixed(5))}, ${workers} threads ${other.losses.map((l) => l.toFixed(5))}`;
  one.losses.forEach((loss, i) => assert.ok(close(loss, other.losses[i], LOSS_TOLERANCE), what));
  // a row whose two top classes nearly tie can tip over: one row of a batch
  one.accs.forEach((acc, i) => assert.ok(Math.abs(acc - other.accs[i]) <= 1 / batchSize + 1e-6, `accuracies ${one.accs} vs ${other.accs}`));
  const worst = Math.max(...one.probabilities.map((p, i) => Math.abs(p - other.probabilities[i])));
  assert.ok(worst <= PROBABILITY_TOLERANCE, `${workers} threads: probabilities differ by up to ${worst}`);
}

test('cnn-16-36 without dropout: 2 workers follow 1 worker step by step on real MNIST, and predict alike', async () => {
  const spec = withoutDropout('cnn-16-36');
  spec.batchSize = 100;
  const one = await steps(spec, 1, 800, 11);
  const two = await steps(spec, 2, 800, 11);
  assertFollows(one, two, 2, spec.batchSize);
  assert.ok(one.losses.at(-1)! < one.losses[0] - 0.3, `the loss falls: ${one.losses}`);
  assert.equal(two.probabilities.length, 101 * 10);
  assert.equal(liveReplicas(), 0);
});

test('cnn-16-36 without dropout: 3 and 4 workers (more threads than cores here) follow 1 worker on a few real batches', async () => {
  const spec = withoutDropout('cnn-16-36');
  spec.batchSize = 50; // shares of 17/17/16 and 13/13/12/12 rows
  const one = await steps(spec, 1, 200, 7);
  for (const workers of [3, 4]) assertFollows(one, await steps(spec, workers, 200, 7), workers, spec.batchSize);
  assert.equal(liveReplicas(), 0);
});

test('a seeded run repeats exactly for a given number of workers, dropout included', async () => {
  const spec = presetSpec('cnn-16-36'); // two Dropout layers: each replica draws its own masks, seeded
  spec.batchSize = 30;
  const first = await steps(spec, 3, 90, 4);
  const again = await steps(spec, 3, 90, 4);
  assert.deepEqual(again.losses, first.losses);
  assert.deepEqual(again.probabilities, first.probabilities);
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
