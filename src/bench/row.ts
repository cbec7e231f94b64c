// One benchmark row in its own process (a backend is process-global, and so is peak RSS):
// train `samples` images of a preset with the seed's batch size through the lab's data
// pipeline and stepper, then train more batches augmented as `--augment` makes them (one step
// ahead, on the augment feed's thread) for what augmenting adds to a step, then time
// single-image predictions.
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../engine/backend';
import { adapterLine } from '../engine/webgpu-backend';
import { loadMnist } from '../data/mnist';
import { buildModel } from '../models/build';
import { INPUT_SHAPES } from '../shared/model-spec';
import { presetSpec } from '../shared/presets';
import type { BackendChoice } from '../shared/backends';
import type { WorkersChoice } from '../shared/training';
import { BatchMaker, shuffledOrder, slice, type Examples } from '../training/batches';
import { IMAGE_PIXELS as PIXELS } from '../shared/limits';
import { createStepper, type Batch, type StepTiming } from '../training/stepper';
import { planWorkers, workersReasonText } from '../training/workers-plan';
import { seededUniform } from '../models/random';
import { DEFAULT_AUGMENTATION } from '../shared/augment';
import { Augmenter } from '../training/augment';
import { AugmentFeed } from '../training/augment-feed';
import { percentiles } from './percentiles';

const PREDICT_WARMUP = 50;
const PREDICTIONS = 1000;
/** Augmenting's cost is timed over this many pairs of blocks, plain and augmented... */
const AUGMENT_BLOCK_PAIRS = 5;
/** ...of about this long each... */
const AUGMENT_BLOCK_MS = 2000;
/** ...and at most this many steps. */
const AUGMENT_BLOCK_STEPS = 60;

export interface BenchRow {
  preset: string;
  backend: string;
  workers: number;
  batchSize: number;
  samples: number;
  samplesPerSecond: number;
  msPerStep: number;
  peakRssMB: number;
  firstBatchSeconds: number;
  /** loading MNIST: embedded files verified and parsed into Float32 */
  dataReadySeconds: number;
  /** one 28×28 image through the trained model, p95 of PREDICTIONS after warm-up */
  predictP95Ms: number;
  /** augmenting a batch with the default ranges on one thread, in CPU time; not measured for a peer's row */
  augmentMsPerStep?: number;
  /** how much longer a step takes with augmented batches (made one step ahead on their own thread): what --augment adds to an epoch */
  augmentShare?: number;
  /** why the row trains on fewer threads than asked, or what the row is */
  note?: string;
  /** where a step's time went (timed steps only): the cost model's inputs; not measured for a peer's row */
  cost?: StepCost;
  /** webgpu: the GPU adapter it ran on, and whether that is hardware or software */
  adapter?: string;
  /** the keras row: the backend its Keras runs on (its peer is keras-<that>) */
  kerasBackend?: string;
}

export interface StepCost {
  /** this thread computing gradients, per sample of its share */
  computeMsPerSample: number;
  /** the replicas', per sample of theirs (0 with one thread) */
  replicaComputeMsPerSample: number;
  /** this thread's synchronisation per step: flattening, summing, the optimizer step, publishing weights */
  syncMsPerStep: number;
  /** each replica's per step: reading the weights, writing its gradients */
  replicaSyncMsPerStep: number;
  /** this thread waiting for the replicas, per step */
  waitMsPerStep: number;
  /** CPU time of every thread of the process per sample: what the samples cost however busy the machine is */
  cpuMsPerSample: number;
}

function stepCost(before: StepTiming, after: StepTiming, workers: number, cpuMs: number, samples: number): StepCost {
  const d = (key: keyof StepTiming) => after[key] - before[key];
  const steps = d('steps');
  const replicaSteps = Math.max(1, steps * (workers - 1));
  return {
    computeMsPerSample: d('computeMs') / d('ownSamples'),
    replicaComputeMsPerSample: d('replicaSamples') > 0 ? d('replicaComputeMs') / d('replicaSamples') : 0,
    syncMsPerStep: d('syncMs') / steps,
    replicaSyncMsPerStep: d('replicaSyncMs') / replicaSteps,
    waitMsPerStep: d('waitMs') / steps,
    cpuMsPerSample: cpuMs / samples,
  };
}

/**
 * Single-image predictions as the lab serves them (predict, then read the probabilities at once);
 * webgpu can only read back asynchronously outside a browser, so there it awaits data().
 */
async function predictP95(model: tf.LayersModel, images: Float32Array, inputShape: number[], readAsync: boolean): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < PREDICT_WARMUP + PREDICTIONS; i++) {
    const image = images.subarray(i * PIXELS, (i + 1) * PIXELS);
    const start = performance.now();
    if (readAsync) {
      const output = tf.tidy(() => model.predict(tf.tensor(image, [1, ...inputShape])) as tf.Tensor);
      await output.data();
      output.dispose();
    } else {
      tf.tidy(() => (model.predict(tf.tensor(image, [1, ...inputShape])) as tf.Tensor).dataSync());
    }
    if (i >= PREDICT_WARMUP) times.push(performance.now() - start);
  }
  return percentiles(times).p95;
}

/**
 * What augmenting adds to a step, as a run with --augment trains (batches made one step ahead by
 * the augment feed): blocks of plain and augmented steps in turn, so a machine that gets busier
 * or quieter meanwhile weighs on both alike, and the median pair's ratio is taken, so one
 * block's hiccup does not; each augmented block starts its batches afresh, as an epoch does.
 * Then augmenting's CPU cost per batch on one thread.
 */
async function augmentCost(examples: Examples, order: Uint32Array, batchSize: number, inputShape: number[], msPerStep: number, train: (batch: Batch) => Promise<unknown>) {
  const batches = Math.ceil(order.length / batchSize);
  const perBlock = Math.max(2, Math.min(Math.floor(batches / 2), Math.round(AUGMENT_BLOCK_MS / msPerStep), AUGMENT_BLOCK_STEPS));
  const maker = new BatchMaker(examples, batchSize, inputShape);
  const feed = AugmentFeed.start(examples, batchSize, inputShape, DEFAULT_AUGMENTATION, 2);
  const ratios: number[] = [];
  let plainMs = 0;
  try {
    await train(await feed.take(order.subarray(0, batchSize), 0)); // starts the feed's thread
    for (let block = 0; block < 2 * AUGMENT_BLOCK_PAIRS; block++) {
      const augmented = block % 2 === 1;
      const first = (block * perBlock) % Math.max(1, batches - perBlock);
      const blockOrder = order.subarray(first * batchSize, Math.min(order.length, (first + perBlock) * batchSize));
      const start = performance.now();
      for (let b = 0; b * batchSize < blockOrder.length; b++) await train(augmented ? await feed.take(blockOrder, b) : maker.fill(blockOrder, b));
      const ms = performance.now() - start;
      if (augmented) ratios.push(ms / plainMs);
      else plainMs = ms;
    }
  } finally {
    await feed.dispose();
  }
  const augmenter = new Augmenter(DEFAULT_AUGMENTATION, seededUniform(2));
  let serialMicros = 0;
  // The second round is timed: this thread's code for augmenting is compiled by then, as the feed's is.
  for (let round = 0; round < 2; round++) {
    serialMicros = 0;
    for (let b = 0; b < perBlock; b++) {
      const batch = maker.fill(order, b % batches);
      const cpu = process.cpuUsage();
      augmenter.apply(batch.x, batch.size);
      const spent = process.cpuUsage(cpu);
      serialMicros += spent.user + spent.system;
    }
  }
  return { share: percentiles(ratios).p50 - 1, serialMs: serialMicros / 1000 / perBlock };
}

async function measure(preset: string, backend: BackendChoice, samples: number, workersChoice: WorkersChoice): Promise<BenchRow> {
  const started = performance.now();
  const engine = await initEngine(backend);
  const loading = performance.now();
  const data = await loadMnist();
  const dataReadySeconds = (performance.now() - loading) / 1000;
  const spec = presetSpec(preset);
  const inputShape = [...INPUT_SHAPES[spec.input]];
  const model = buildModel(spec, { seed: 1 });
  const plan = planWorkers(workersChoice, engine.backend, spec);
  const workers = plan.workers;
  const stepper = await createStepper(model, { workers, backend: engine.backend, spec, seed: 1, inputShape });
  const examples = slice(data.train, 0, samples);
  const maker = new BatchMaker(examples, spec.batchSize, inputShape);
  const order = shuffledOrder(examples.count, seededUniform(1));
  let firstBatchSeconds = 0;
  let timedStart = 0;
  let timedFrom = { ...stepper.timing };
  let cpuFrom = process.cpuUsage();
  const timedBatches = maker.batches() - 1;
  let seconds = 0;
  let msPerStep = 0;
  let cpuMs = 0;
  let timedTo = timedFrom;
  let augment: { share: number; serialMs: number };
  try {
    for (let b = 0; b < maker.batches(); b++) {
      await stepper.trainBatch(maker.fill(order, b));
      if (b === 0) {
        // The first step includes one-time work (kernel setup, weight upload): reported apart.
        firstBatchSeconds = (performance.now() - started) / 1000;
        timedFrom = { ...stepper.timing };
        cpuFrom = process.cpuUsage();
        timedStart = performance.now();
      }
    }
    seconds = (performance.now() - timedStart) / 1000;
    msPerStep = (seconds * 1000) / timedBatches;
    const cpu = process.cpuUsage(cpuFrom);
    cpuMs = (cpu.user + cpu.system) / 1000;
    timedTo = { ...stepper.timing };
    augment = await augmentCost(examples, order, spec.batchSize, inputShape, msPerStep, (batch) => stepper.trainBatch(batch));
  } finally {
    await stepper.dispose();
  }
  const timedSamples = examples.count - Math.min(spec.batchSize, examples.count);
  // Said only where the row trains on other threads than asked.
  const note = (plan.why.key === 'native' || plan.why.key === 'gpu') && plan.why.params.asked > 1 ? workersReasonText(workers, plan.why, engine.backend) : undefined;
  return {
    preset,
    backend: engine.backend,
    workers,
    batchSize: spec.batchSize,
    samples: timedSamples,
    samplesPerSecond: timedSamples / seconds,
    msPerStep,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    firstBatchSeconds,
    dataReadySeconds,
    predictP95Ms: await predictP95(model, data.test.images, inputShape, engine.backend === 'webgpu'),
    augmentMsPerStep: augment.serialMs,
    augmentShare: augment.share,
    ...(note ? { note } : {}),
    cost: stepCost(timedFrom, timedTo, workers, cpuMs, timedSamples),
    ...(engine.adapter ? { adapter: adapterLine(engine.adapter) } : {}),
  };
}

function parseWorkers(value: string | undefined): WorkersChoice {
  return value === undefined || value === 'auto' ? 'auto' : Number(value);
}

const [preset, backend, samples, workers] = process.argv.slice(2);
measure(preset, backend as BackendChoice, Number(samples), parseWorkers(workers)).then(
  (row) => {
    process.stdout.write(JSON.stringify(row) + '\n');
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
