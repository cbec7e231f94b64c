// One training run: fit epoch by epoch with events, then evaluate on the test set and save.
import { buildModel } from '../models/build';
import { countParams, INPUT_SHAPES, validateModelSpec } from '../shared/model-spec';
import type * as tf from '@tensorflow/tfjs';
import { IMAGE_PIXELS as PIXELS, MAX_MY_DIGITS_REPEAT, MIN_LIMIT, TRAIN_IMAGES } from '../shared/limits';
import type { EngineReport, EpochLogs, History, RunResult, TrainEvent, TrainRequest } from '../shared/training';
import type { Mnist } from '../data/mnist';
import { validationSplit } from '../data/mnist';
import { loadModel } from '../files/model-files';
import { seededUniform } from '../models/random';
import { AugmentFeed } from './augment-feed';
import { BatchMaker, shuffledOrder, slice, type Examples } from './batches';
import { RunControl } from './control';
import { finishRun } from './run-result';
import { evaluate, predictAll } from './evaluate';
import { withSeededRandom } from './seeded-random';
import { createStepper, type Stepper } from './stepper';
import { planWorkers } from './workers-plan';

/** Batch events are throttled to at most this many a second. */
const BATCH_EVENTS_PER_SECOND = 10;

export type Emit = (event: TrainEvent) => void;

/** Examples followed by `extra` repeated `repeat` times: MNIST plus My digits. */
export function appendExamples(examples: Examples, extra: Examples, repeat: number): Examples {
  const count = examples.count + extra.count * repeat;
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  images.set(examples.images);
  labels.set(examples.labels);
  for (let r = 0; r < repeat; r++) {
    const at = examples.count + r * extra.count;
    images.set(extra.images.subarray(0, extra.count * PIXELS), at * PIXELS);
    labels.set(extra.labels.subarray(0, extra.count), at);
  }
  return { count, images, labels };
}

/** Which rows of the training set a run trains and validates on: the first `limit`, a split taking the last part. */
export type TrainingRows = { trainCount: number; validation: { kind: 'none' } | { kind: 'test' } | { kind: 'split'; start: number; end: number } };

export function trainingRows(data: Mnist, request: TrainRequest): TrainingRows {
  const { spec } = request;
  const limit = request.limit ?? TRAIN_IMAGES;
  if (!Number.isInteger(limit) || limit < MIN_LIMIT || limit > data.train.count) {
    throw new Error(`limit must be a whole number from ${MIN_LIMIT} to ${data.train.count}, got ${request.limit}`);
  }
  switch (spec.validation.kind) {
    case 'none':
    case 'test':
      return { trainCount: limit, validation: { kind: spec.validation.kind } };
    case 'split': {
      // Keras's validation_split: the last fraction, taken before shuffling.
      const { trainCount } = validationSplit(limit, spec.validation.fraction);
      return { trainCount, validation: { kind: 'split', start: trainCount, end: limit } };
    }
  }
}

function trainingSets(data: Mnist, request: TrainRequest): { train: Examples; validation: Examples | null } {
  const { trainCount, validation } = trainingRows(data, request);
  const train = slice(data.train, 0, trainCount);
  switch (validation.kind) {
    case 'none':
      return { train, validation: null };
    case 'test':
      return { train, validation: data.test };
    case 'split':
      return { train, validation: slice(data.train, validation.start, validation.end) };
  }
}

function mean(sum: number, count: number): number {
  return count === 0 ? NaN : sum / count;
}

export interface FitOptions {
  runId: string;
  engine: EngineReport;
  emit: Emit;
  control?: RunControl;
  /** My digits, for a request with myDigits: added to the training examples (never to validation) */
  myDigits?: Examples;
  /** a saved model of the same layers to start from (fine-tuning) rather than fresh weights */
  initDir?: string;
}

/** How many times the request has each My digit seen per epoch; throws when it has none to add. */
export function myDigitsRepeat(request: TrainRequest, myDigits: Examples | undefined): number {
  if (!myDigits || myDigits.count === 0) throw new Error('myDigits: there are no My digits to train with; label some drawings in the Paint view first');
  const repeat = request.myDigitsRepeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_MY_DIGITS_REPEAT) {
    throw new Error(`myDigitsRepeat must be a whole number from 1 to ${MAX_MY_DIGITS_REPEAT}, got ${request.myDigitsRepeat}`);
  }
  return repeat;
}

/** The training examples with My digits added, as the request asks. */
function withMyDigits(train: Examples, request: TrainRequest, myDigits: Examples | undefined): { train: Examples; added: number } {
  if (!request.myDigits) return { train, added: 0 };
  const repeat = myDigitsRepeat(request, myDigits);
  return { train: appendExamples(train, myDigits!, repeat), added: myDigits!.count * repeat };
}

/** Both weight lists' shapes (`[784,256] [256] …`) when they differ weight for weight; null when they match. */
export function weightMismatch(from: tf.Tensor[], to: tf.Tensor[]): { from: string; to: string } | null {
  const same = from.length === to.length && from.every((w, i) => w.shape.join() === to[i].shape.join());
  const shapes = (weights: tf.Tensor[]) => weights.map((w) => `[${w.shape}]`).join(' ');
  return same ? null : { from: shapes(from), to: shapes(to) };
}

/** Starts `model` from a saved model's weights; the layers must match weight for weight. */
async function initFromSaved(model: tf.LayersModel, dir: string): Promise<void> {
  const saved = await loadModel(dir);
  try {
    const from = saved.model.getWeights();
    const mismatch = weightMismatch(from, model.getWeights());
    if (mismatch) throw new Error(`initFrom: the saved model's weights (${mismatch.from}) do not fit this model's (${mismatch.to}): pick a run of the same layers`);
    model.setWeights(from);
  } finally {
    saved.model.dispose();
  }
}

export async function fit(request: TrainRequest, data: Mnist, options: FitOptions): Promise<RunResult> {
  const { runId, engine, emit } = options;
  const control = options.control ?? new RunControl();
  const spec = request.spec;
  const rows = validateModelSpec(spec);
  const started = control.mark();
  const sets = trainingSets(data, request);
  const validation = sets.validation;
  const { train, added: myDigitsCount } = withMyDigits(sets.train, request, options.myDigits);
  const inputShape = [...INPUT_SHAPES[spec.input]];

  return withSeededRandom(request.seed, async () => {
    const model = buildModel(spec, { seed: request.seed });
    let stepper: Stepper | null = null;
    let feed: AugmentFeed | undefined;
    try {
      if (options.initDir) await initFromSaved(model, options.initDir);
      const plan = planWorkers(request.workers, engine.backend, spec);
      stepper = await createStepper(model, { workers: plan.workers, backend: engine.backend, spec, seed: request.seed, inputShape });
      const engineUsed: EngineReport = { ...engine, workers: stepper.workers, workersWhy: plan.why };
      const maker = new BatchMaker(train, spec.batchSize, inputShape);
      const batches = maker.batches();
      const shuffle = request.seed === undefined ? Math.random : seededUniform(request.seed);
      feed = spec.augmentation && AugmentFeed.start(train, spec.batchSize, inputShape, spec.augmentation, request.seed);
      emit({ type: 'start', runId, spec, engine: engineUsed, trainCount: train.count, validationCount: validation?.count ?? 0, batchesPerEpoch: batches });
      const history: History = { loss: [], acc: [], ...(validation ? { val_loss: [], val_acc: [] } : {}) };
      let epochsCompleted = 0;
      const yieldToMessages = () => control.checkpoint(() => emit({ type: 'paused', runId }), () => emit({ type: 'resumed', runId }));

      for (let epoch = 0; epoch < spec.epochs && !control.stopRequested; epoch++) {
        emit({ type: 'epochBegin', runId, epoch: epoch + 1, epochs: spec.epochs });
        const epochStart = control.mark();
        let trainingMs = 0;
        let lossSum = 0;
        let correctSum = 0;
        let seen = 0;
        let lastEvent = 0;
        const order = shuffledOrder(train.count, shuffle);
        for (let b = 0; b < batches; b++) {
          await yieldToMessages();
          if (control.stopRequested) break;
          const stepStart = performance.now();
          const batch = feed ? await feed.take(order, b) : maker.fill(order, b);
          const { size } = batch;
          const { loss, acc } = await stepper.trainBatch(batch);
          trainingMs += performance.now() - stepStart;
          lossSum += loss * size;
          correctSum += acc * size;
          seen += size;
          const now = performance.now();
          if (now - lastEvent >= 1000 / BATCH_EVENTS_PER_SECOND || b === batches - 1) {
            lastEvent = now;
            const msPerStep = trainingMs / (b + 1);
            emit({
              type: 'batch',
              runId,
              epoch: epoch + 1,
              batch: b + 1,
              batches,
              samples: seen,
              totalSamples: train.count,
              loss: mean(lossSum, seen),
              acc: mean(correctSum, seen),
              msPerStep,
              etaSeconds: ((batches - b - 1) * msPerStep) / 1000,
            });
          }
        }
        if (seen < train.count) break; // stopped mid-epoch: that epoch does not count
        const logs: EpochLogs = { loss: mean(lossSum, seen), acc: mean(correctSum, seen) };
        if (validation) {
          const scored = await predictAll(stepper.predict, validation, inputShape, yieldToMessages);
          logs.val_loss = scored.loss;
          logs.val_acc = scored.accuracy;
        }
        for (const key of Object.keys(logs) as (keyof EpochLogs)[]) history[key]?.push(logs[key] as number);
        epochsCompleted = epoch + 1;
        emit({
          type: 'epochEnd',
          runId,
          epoch: epoch + 1,
          epochs: spec.epochs,
          logs,
          seconds: control.secondsSince(epochStart),
          msPerStep: trainingMs / batches,
        });
      }

      emit({ type: 'evaluating', runId });
      const evaluation = await evaluate(stepper.predict, data.test, inputShape);
      await stepper.dispose();
      stepper = null;
      const facts = {
        runId,
        spec,
        history,
        evaluation,
        epochsCompleted,
        trainCount: train.count,
        validationCount: validation?.count ?? 0,
        params: countParams(rows),
        engine: engineUsed,
        seed: request.seed,
        ...(myDigitsCount ? { myDigitsCount } : {}),
      };
      return await finishRun(model, data, facts, control.secondsSince(started), request.saveDir);
    } finally {
      await stepper?.dispose();
      await feed?.dispose();
      model.optimizer?.dispose();
      model.dispose();
    }
  });
}
