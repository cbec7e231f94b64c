// One benchmark row in its own process (a backend is process-global, and so is peak RSS):
// train `samples` images of a preset with the seed's batch size through the lab's data pipeline.
import { initEngine } from '../engine/backend';
import { loadMnist } from '../data/mnist';
import { buildModel } from '../models/build';
import { INPUT_SHAPES } from '../shared/model-spec';
import { presetSpec } from '../shared/presets';
import type { BackendChoice } from '../shared/training';
import { BatchMaker, shuffledOrder, slice } from '../training/batches';
import { seededUniform } from '../models/random';

export interface BenchRow {
  preset: string;
  backend: string;
  batchSize: number;
  samples: number;
  samplesPerSecond: number;
  msPerStep: number;
  peakRssMB: number;
  firstBatchSeconds: number;
}

async function measure(preset: string, backend: BackendChoice, samples: number): Promise<BenchRow> {
  const started = performance.now();
  const engine = await initEngine(backend);
  const data = await loadMnist();
  const spec = presetSpec(preset);
  const model = buildModel(spec, { seed: 1 });
  const examples = slice(data.train, 0, samples);
  const maker = new BatchMaker(examples, spec.batchSize, [...INPUT_SHAPES[spec.input]]);
  const order = shuffledOrder(examples.count, seededUniform(1));
  let firstBatchSeconds = 0;
  let timedStart = 0;
  for (let b = 0; b < maker.batches(); b++) {
    const { x, y } = maker.batch(order, b);
    await model.trainOnBatch(x, y);
    x.dispose();
    y.dispose();
    if (b === 0) {
      // The first step includes one-time work (kernel setup, weight upload): reported apart.
      firstBatchSeconds = (performance.now() - started) / 1000;
      timedStart = performance.now();
    }
  }
  const timedBatches = maker.batches() - 1;
  const timedSamples = examples.count - Math.min(spec.batchSize, examples.count);
  const seconds = (performance.now() - timedStart) / 1000;
  return {
    preset,
    backend: engine.backend,
    batchSize: spec.batchSize,
    samples: timedSamples,
    samplesPerSecond: timedSamples / seconds,
    msPerStep: (seconds * 1000) / timedBatches,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    firstBatchSeconds,
  };
}

const [preset, backend, samples] = process.argv.slice(2);
measure(preset, backend as BackendChoice, Number(samples)).then(
  (row) => {
    process.stdout.write(JSON.stringify(row) + '\n');
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
