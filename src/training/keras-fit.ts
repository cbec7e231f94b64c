// One training run on the Keras engine: the user's Keras trains (resources/keras_engine.py), its
// events come back as the lab's own, and the .keras file it saves is read with the lab's Keras
// importer, evaluated on the test set and stored like any other run's model.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { buildModel } from '../models/build';
import { countParams, validateModelSpec } from '../shared/model-spec';
import { IMAGE_PIXELS } from '../shared/limits';
import type { EngineReport, History, RunResult, TrainRequest } from '../shared/training';
import type { Mnist } from '../data/mnist';
import { MNIST_FILES } from '../data/files';
import { processAlive } from '../files/dir-swap';
import { loadModel } from '../files/model-files';
import { openAnyModel } from '../keras/open';
import { LabError } from '../lab/lab-error';
import { KerasWorker } from '../engine/keras-engine';
import type { FromKeras, ToKeras } from '../engine/keras-protocol';
import { RunControl } from './control';
import { finishRun } from './run-result';
import { evaluate } from './evaluate';
import { myDigitsRepeat, trainingRows, weightMismatch, type FitOptions } from './fit';

export interface KerasFitOptions extends Omit<FitOptions, 'engine'> {
  python: string;
  /** the TF.js engine that evaluates the trained model */
  evaluator: EngineReport;
}

/** A run's scratch folder in the system's temp folder is named for its process. */
const SCRATCH = 'digit-lab-keras-';
const SCRATCH_OF = /^digit-lab-keras-(\d+)-/;

/** Removes the scratch folders of lab processes that were killed mid-run; then makes this run's. */
async function scratchFolder(): Promise<string> {
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const owner = SCRATCH_OF.exec(name);
    if (owner && !processAlive(Number(owner[1]))) await rm(join(tmpdir(), name), { recursive: true, force: true }).catch(() => undefined);
  }
  return mkdtemp(join(tmpdir(), `${SCRATCH}${process.pid}-`));
}

/** My digits and a model to start from, as files the worker reads. */
async function inputFiles(dir: string, request: TrainRequest, options: KerasFitOptions): Promise<Pick<Extract<ToKeras, { type: 'train' }>, 'myDigits' | 'initWeights'>> {
  let myDigits: Extract<ToKeras, { type: 'train' }>['myDigits'] = null;
  if (request.myDigits) {
    const repeat = myDigitsRepeat(request, options.myDigits);
    const { count, images, labels } = options.myDigits!;
    const files = { images: join(dir, 'my-digits.f32'), labels: join(dir, 'my-digits.u8') };
    await writeFile(files.images, images.subarray(0, count * IMAGE_PIXELS));
    await writeFile(files.labels, labels.subarray(0, count));
    myDigits = { ...files, count, repeat };
  }
  let initWeights: Extract<ToKeras, { type: 'train' }>['initWeights'] = null;
  if (options.initDir) {
    const saved = await loadModel(options.initDir);
    try {
      const weights = saved.model.getWeights();
      const values = await Promise.all(weights.map((w) => w.data() as Promise<Float32Array>));
      const flat = new Float32Array(values.reduce((n, v) => n + v.length, 0));
      values.reduce((at, v) => (flat.set(v, at), at + v.length), 0);
      const path = join(dir, 'init-weights.f32');
      await writeFile(path, new Uint8Array(flat.buffer));
      initWeights = { path, shapes: weights.map((w) => w.shape) };
    } finally {
      saved.model.dispose();
    }
  }
  return { myDigits, initWeights };
}

/** The weights of the model Keras saved, read by the lab's importer, in a model built from the spec. */
async function importTrained(path: string, request: TrainRequest): Promise<tf.LayersModel> {
  const opened = await openAnyModel(path);
  const model = buildModel(request.spec, { seed: request.seed });
  try {
    const from = opened.model.getWeights();
    const mismatch = weightMismatch(from, model.getWeights());
    if (mismatch) throw new LabError('keras.trainFailed', { reason: `the saved model's weights (${mismatch.from}) do not fit the model described (${mismatch.to})` });
    model.setWeights(from);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    opened.model.dispose();
  }
}

export async function kerasFit(request: TrainRequest, data: Mnist, options: KerasFitOptions): Promise<RunResult> {
  const { runId, emit } = options;
  const control = options.control ?? new RunControl();
  const spec = request.spec;
  const rows = validateModelSpec(spec);
  if (spec.augmentation) throw new LabError('keras.unsupported', { what: 'augmentation (the lab\'s own random rotate, shift, zoom and thicken)' });
  const started = control.mark();
  const { trainCount, validation } = trainingRows(data, request);
  const dir = await scratchFolder();
  let worker: KerasWorker | null = null;
  try {
    const files = await inputFiles(dir, request, options);
    worker = await KerasWorker.start(options.python);
    const hello = worker.hello!;
    const engine: EngineReport = {
      backend: 'keras',
      version: `Keras ${hello.keras} on ${hello.backend}, Python ${hello.python}`,
      reason: `forced by --backend keras (${options.python}); evaluated on ${options.evaluator.backend}`,
      forced: true,
      workers: 1,
    };
    const history: History = { loss: [], acc: [], ...(validation.kind !== 'none' ? { val_loss: [], val_acc: [] } : {}) };
    const [TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS] = MNIST_FILES.map((file) => join(data.dir, file.name));
    const out = join(dir, 'trained.keras');
    const running = worker;
    const saved = await new Promise<Extract<FromKeras, { type: 'saved' }>>((resolve, reject) => {
      running.onEnd(reject);
      running.onMessage((message) => {
        switch (message.type) {
          case 'start':
            emit({ type: 'start', runId, spec, engine, trainCount: message.trainCount, validationCount: message.validationCount, batchesPerEpoch: message.batchesPerEpoch });
            break;
          case 'epochEnd':
            for (const [key, value] of Object.entries(message.logs)) history[key as keyof History]?.push(value);
            emit({ ...message, runId });
            break;
          case 'epochBegin':
          case 'batch':
          case 'paused':
          case 'resumed':
            emit({ ...message, runId });
            break;
          case 'saved':
            resolve(message);
            break;
          case 'failed':
            reject(new LabError('keras.trainFailed', { reason: message.message }));
            break;
          default:
            reject(new LabError('keras.protocol', { problem: `${message.type} during a run`, line: JSON.stringify(message) }));
        }
      });
      control.onRequest = (what) => running.send({ type: what });
      running.send({
        type: 'train',
        spec,
        seed: request.seed ?? null,
        data: { trainImages: TRAIN_IMAGES, trainLabels: TRAIN_LABELS, testImages: TEST_IMAGES, testLabels: TEST_LABELS },
        train: { count: trainCount },
        validation,
        ...files,
        out,
      });
      if (control.isPaused) running.send({ type: 'pause' });
      if (control.stopRequested) running.send({ type: 'stop' });
    });
    control.onRequest = null;
    emit({ type: 'evaluating', runId });
    const model = await importTrained(saved.path, request);
    try {
      const evaluation = await evaluate(model, data.test, [...model.inputs[0].shape.slice(1)] as number[]);
      const myDigitsCount = files.myDigits ? files.myDigits.count * files.myDigits.repeat : 0;
      const facts = {
        runId,
        spec,
        history,
        evaluation,
        epochsCompleted: saved.epochsCompleted,
        trainCount: trainCount + myDigitsCount,
        validationCount: validation.kind === 'split' ? validation.end - validation.start : validation.kind === 'test' ? data.test.count : 0,
        params: countParams(rows),
        engine,
        seed: request.seed,
        ...(myDigitsCount ? { myDigitsCount } : {}),
      };
      return await finishRun(model, data, facts, control.secondsSince(started), request.saveDir);
    } finally {
      model.dispose();
    }
  } finally {
    control.onRequest = null;
    worker?.kill();
    await rm(dir, { recursive: true, force: true });
  }
}
