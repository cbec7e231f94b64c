// The lab behind the contract: one implementation of every call for both transports
// (Electron IPC and the browser mode's WebSocket). No Electron and no transport here.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import type { CallArgs, CallName, CallReply, CallResult, EventName, LabEvents, MyDigitSummary, RunSummary, Samples, TrainStatus } from '../shared/contract';
import { countParams, inferLayers, INPUT_SHAPES, summary, type InputKind, type ModelSpec } from '../shared/model-spec';
import { PRESETS } from '../shared/presets';
import { confusionMatrix, type BackendChoice, type Evaluation, type History, type RunResult, type TrainEvent } from '../shared/training';
import { defaultCacheDir, describeMnist, loadMnist, type Mnist } from '../data/mnist';
import { downloadMnist } from '../data/download';
import { initEngine } from '../engine/backend';
import { Trainer } from '../training/trainer';
import { evaluate } from '../training/evaluate';
import { RunHistory, failedRecord, toRecord, type RunRecord } from '../files/runs';
import { MODEL_JSON, type LoadedModel } from '../files/model-files';
import { writeFileAtomic } from '../files/atomic';
import { Settings } from './settings';
import { confStore, type StoreFactory } from './store';
import { ModelCache } from './model-cache';
import { read } from './feature-maps';
import { importUpload } from './import-upload';
import { CallError, validateCall } from './validate';
import { checkDrawing, MyDigitsError, MyDigitsStore, toExamples, type MyDigit } from '../files/my-digits';
import { predictAll } from '../training/evaluate';
import type { TrainExtras } from '../training/messages';
import { Reproduction } from './reproduce';

/** The full RunResult, beside model.json in the run's folder (as the CLI saves it). */
const REPORT = 'report.json';
/** Batch events kept for a view that opens mid-run; epoch events are all kept. */
const KEPT_BATCH_EVENTS = 200;
const PIXELS = 784;

export interface LabServiceOptions {
  /** where models, run history and settings live (labHome() in the app) */
  home: string;
  /** the MNIST download cache (defaultCacheDir() in the app) */
  cacheDir?: string;
  /** how settings are kept: conf by default, electron-store in the desktop app */
  createStore?: StoreFactory;
}

type Handlers = { [K in CallName]: (args: CallArgs<K>) => Promise<CallResult<K>> };

export class LabService {
  private readonly events = new EventEmitter();
  private readonly history: RunHistory;
  private readonly settings: Settings;
  private readonly cacheDir: string;
  private readonly models = new ModelCache();
  private readonly myDigits: MyDigitsStore;
  private trainer: Trainer;
  private trainerBackend: BackendChoice;
  private data: Promise<Mnist> | null = null;
  private download: AbortController | null = null;
  private status: TrainStatus = { runId: null, paused: false, events: [] };
  /** the spec of the current run, so a run that fails before it starts is still recorded */
  private currentSpec: ModelSpec | null = null;
  private readonly reproduction = new Reproduction({
    startRun: (request) => this.handlers['train.start'](request),
    stopRun: () => this.trainer.stop(),
    emit: (status) => this.emit('reproduce.status', status),
  });

  constructor(private readonly options: LabServiceOptions) {
    this.history = new RunHistory(options.home, options.createStore ?? confStore);
    this.settings = new Settings(options.home, options.createStore ?? confStore);
    this.cacheDir = options.cacheDir ?? defaultCacheDir();
    this.myDigits = new MyDigitsStore(options.home);
    this.trainerBackend = this.settings.get().backend;
    this.trainer = this.newTrainer(this.trainerBackend);
  }

  on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  /** Validates and runs one call; any failure is an Error whose message the user can act on (CallError for a bad call). */
  async call(name: unknown, args: unknown): Promise<unknown> {
    const call = validateCall(name, args);
    const handler = this.handlers[call] as (args: unknown) => Promise<unknown>;
    return handler(args ?? null);
  }

  /** call() as both transports answer it: the result, or the error's message (and the layer at fault). Never throws. */
  async answer(name: unknown, args: unknown): Promise<CallReply> {
    try {
      return { result: (await this.call(name, args)) ?? null } as CallReply;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return error instanceof CallError && error.layer !== undefined ? { error: message, layer: error.layer } : { error: message };
    }
  }

  async close(): Promise<void> {
    this.download?.abort();
    await this.trainer.close();
    await this.models.clear();
  }

  private emit<E extends EventName>(event: E, payload: LabEvents[E]): void {
    for (const listener of this.events.listeners(event)) {
      try {
        listener(payload);
      } catch {
        // one transport's failure (a closed socket, a destroyed window) is not the others'
      }
    }
  }

  private newTrainer(backend: BackendChoice): Trainer {
    const trainer = new Trainer({ backend, cacheDir: this.cacheDir });
    trainer.on('event', (event) => void this.onTrainEvent(event));
    return trainer;
  }

  /** The trainer for the next run, on the backend the settings now name. */
  private idleTrainer(): Trainer {
    const backend = this.settings.get().backend;
    if (backend !== this.trainerBackend && !this.trainer.running) {
      void this.trainer.close();
      this.trainer = this.newTrainer(backend);
      this.trainerBackend = backend;
    }
    return this.trainer;
  }

  private dataNotice: string | undefined;

  private mnist(): Promise<Mnist> {
    if (!this.data) {
      this.dataNotice = undefined;
      const loading = loadMnist({
        cacheDir: this.cacheDir,
        onStatus: (message, kind) => {
          if (kind === 'fallback') this.dataNotice = message;
        },
      });
      loading.catch(() => {
        if (this.data === loading) this.data = null;
      });
      this.data = loading;
    }
    return this.data;
  }

  private modelDir(runId: string): string {
    return join(this.options.home, 'models', runId);
  }

  private hasModel(runId: string): boolean {
    return existsSync(join(this.modelDir(runId), MODEL_JSON));
  }

  private async onTrainEvent(received: TrainEvent): Promise<void> {
    let event = received;
    try {
      if (event.type === 'done') {
        await writeFileAtomic(join(this.modelDir(event.runId), REPORT), JSON.stringify(event.result));
        this.history.add(toRecord(event.result));
      } else if (event.type === 'failed' && this.currentSpec && event.runId === this.status.runId) {
        this.history.add(failedRecord(event.runId, this.currentSpec, event.message));
      }
    } catch (error) {
      event = { type: 'failed', runId: event.runId, message: `the run ended, but its results could not be saved: ${(error as Error).message}` };
    }
    if (event.runId === this.status.runId) {
      const status = this.status;
      if (event.type === 'paused' || event.type === 'resumed') status.paused = event.type === 'paused';
      if (event.type === 'done' || event.type === 'failed') status.paused = false;
      status.events.push(event);
      if (event.type === 'batch' && status.events.filter((e) => e.type === 'batch').length > KEPT_BATCH_EVENTS) {
        status.events.splice(status.events.findIndex((e) => e.type === 'batch'), 1);
      }
    }
    this.emit('train.event', event);
    this.reproduction.onTrainEvent(event);
  }

  private summaryOf(record: RunRecord): RunSummary {
    return {
      runId: record.runId,
      name: record.spec.name,
      status: record.status,
      spec: record.spec,
      params: record.params,
      accuracy: record.evaluation?.accuracy,
      loss: record.evaluation?.loss,
      durationSeconds: record.durationSeconds,
      epochsCompleted: record.epochsCompleted,
      history: record.history,
      backend: record.engine?.backend,
      finishedAt: record.finishedAt,
      message: record.message,
      hasModel: this.hasModel(record.runId),
    };
  }

  private record(runId: string): RunRecord {
    const record = this.history.get(runId);
    if (!record) throw new CallError(`there is no run ${runId}`);
    return record;
  }

  private async report(runId: string): Promise<RunResult> {
    this.record(runId);
    try {
      return JSON.parse(await readFile(join(this.modelDir(runId), REPORT), 'utf8')) as RunResult;
    } catch {
      throw new CallError(`run ${runId} has no saved results (it failed, or its model was deleted)`);
    }
  }

  /** A run id or 'latest', as a run that has a saved model. */
  private modelRun(model: string): string {
    const runId = model === 'latest' ? this.latestModelRun() : model;
    this.record(runId);
    if (!this.hasModel(runId)) throw new CallError(`run ${runId} has no saved model`);
    return runId;
  }

  /** The saved model of a run (or 'latest'), loaded on the engine the settings choose. */
  private async loadedModel(model: string): Promise<{ runId: string; loaded: LoadedModel }> {
    await initEngine(this.settings.get().backend);
    const runId = this.modelRun(model);
    return { runId, loaded: await this.models.get(runId, this.modelDir(runId)) };
  }

  /** What a run needs beyond its request: My digits' examples, the saved model it starts from. */
  private async trainExtras(request: CallArgs<'train.start'>): Promise<TrainExtras> {
    const extras: TrainExtras = {};
    if (request.myDigits) {
      const digits = await this.myDigits.list();
      if (digits.length === 0) throw new CallError('train.start.myDigits: there are no My digits yet: label some drawings in the Paint view first');
      const { count, images, labels } = toExamples(digits);
      extras.myDigits = { count, images, labels };
    }
    if (request.initFrom) {
      const runId = request.initFrom;
      this.record(runId);
      if (!this.hasModel(runId)) throw new CallError(`train.start.initFrom: run ${runId} has no saved model to start from`);
      extras.initDir = this.modelDir(runId);
    }
    return extras;
  }

  private async myDigitsCall<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof MyDigitsError) throw new CallError(error.message);
      throw error;
    }
  }

  private latestModelRun(): string {
    const run = this.history.list().findLast((r) => this.hasModel(r.runId));
    if (!run) throw new CallError('there is no trained model yet: train one, or import one');
    return run.runId;
  }

  private readonly handlers: Handlers = {
    'engine.info': async () => {
      const info = await initEngine(this.settings.get().backend);
      return { backend: info.backend, version: info.version, reason: info.reason };
    },
    'data.status': async () => ({
      ...describeMnist(await this.mnist()),
      cacheDir: this.cacheDir,
      mirrors: this.settings.get().mirrors,
      ...(this.dataNotice ? { notice: this.dataNotice } : {}),
    }),
    'data.download': async ({ mirrors }) => {
      if (this.download) throw new CallError('a download is already running');
      this.download = new AbortController();
      try {
        const result = await downloadMnist({
          cacheDir: this.cacheDir,
          mirrors: mirrors ?? this.settings.get().mirrors,
          signal: this.download.signal,
          onProgress: (progress) => this.emit('data.progress', progress),
        });
        this.data = null;
        return { ok: true, files: result.files };
      } catch (error) {
        return { ok: false, message: (error as Error).message, files: [] };
      } finally {
        this.download = null;
      }
    },
    'data.cancelDownload': async () => {
      this.download?.abort();
      return null;
    },
    'data.samples': async ({ split, label, offset, count }): Promise<Samples> => {
      const set = (await this.mnist())[split];
      const indices: number[] = [];
      let total = 0;
      for (let i = 0; i < set.count; i++) {
        if (label !== undefined && set.labels[i] !== label) continue;
        if (total >= offset && indices.length < count) indices.push(i);
        total++;
      }
      const pixels = Buffer.alloc(indices.length * PIXELS);
      indices.forEach((index, k) => pixels.set(set.pixels.subarray(index * PIXELS, (index + 1) * PIXELS), k * PIXELS));
      return { indices, labels: indices.map((i) => set.labels[i]), pixels: pixels.toString('base64'), total };
    },
    'data.image': async ({ split, index }) => {
      const set = (await this.mnist())[split];
      if (index >= set.count) throw new CallError(`data.image.index must be below ${set.count} for the ${split} set`);
      return { split, index, label: set.labels[index], pixels: Array.from(set.pixels.subarray(index * PIXELS, (index + 1) * PIXELS)) };
    },
    'models.presets': async () => structuredClone([...PRESETS]),
    'models.summary': async ({ spec }) => {
      const rows = inferLayers(spec);
      return { text: summary(spec), rows, totalParams: countParams(rows) };
    },
    'train.start': async (request) => {
      const runId = randomUUID();
      const extras = await this.trainExtras(request);
      this.idleTrainer().start({ ...request, saveDir: this.modelDir(runId) }, runId, extras);
      this.status = { runId, paused: false, events: [] };
      this.currentSpec = request.spec;
      return { runId };
    },
    'train.pause': async () => {
      this.trainer.pause();
      return null;
    },
    'train.resume': async () => {
      this.trainer.resume();
      return null;
    },
    'train.stop': async () => {
      this.trainer.stop();
      return null;
    },
    'train.status': async () => structuredClone(this.status),
    'runs.list': async () => this.history.list().map((record) => this.summaryOf(record)),
    'runs.get': async ({ runId }) => this.report(runId),
    'runs.evaluation': async ({ runId }) => (await this.report(runId)).evaluation,
    'runs.delete': async ({ runId }) => {
      if (this.trainer.running === runId) throw new CallError('that run is still training: stop it first');
      this.record(runId);
      await this.models.forget(runId);
      this.history.remove(runId);
      await rm(this.modelDir(runId), { recursive: true, force: true });
      return null;
    },
    'models.export': async ({ runId }) => {
      this.record(runId);
      const dir = this.modelDir(runId);
      if (!this.hasModel(runId)) throw new CallError(`run ${runId} has no saved model`);
      const modelJson = await readFile(join(dir, MODEL_JSON), 'utf8');
      const weights: Record<string, string> = {};
      for (const name of await readdir(dir)) {
        if (name.endsWith('.bin')) weights[name] = (await readFile(join(dir, name))).toString('base64');
      }
      return { modelJson, weights };
    },
    'models.import': async ({ files, name }) => {
      const runId = randomUUID();
      const dir = this.modelDir(runId);
      await initEngine(this.settings.get().backend);
      const loaded = await importUpload(files, this.options.home, dir);
      const params = loaded.model.countParams();
      let evaluation: Evaluation;
      try {
        // Evaluated like a trained run, a batch at a time, so the process stays responsive.
        evaluation = await evaluate(loaded.model, (await this.mnist()).test, loaded.inputShape, () => nextTurn());
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw new CallError(`the model was read, but could not be evaluated on the test set: ${(error as Error).message}`);
      } finally {
        loaded.model.dispose();
      }
      const metadata = loaded.metadata;
      const spec = metadata?.spec ?? importedSpec(metadata?.name ?? 'imported', loaded.inputShape);
      const result: RunResult = {
        runId,
        spec: { ...spec, name: name ?? metadata?.name ?? spec.name },
        history: (metadata?.history ?? {}) as History,
        evaluation,
        epochsCompleted: 0,
        stopped: false,
        durationSeconds: 0,
        trainCount: 0,
        validationCount: 0,
        params,
        engine: { backend: 'imported', version: '', reason: 'imported model' },
        finishedAt: new Date().toISOString(),
        modelDir: dir,
      };
      await writeFileAtomic(join(dir, REPORT), JSON.stringify(result));
      this.history.add(toRecord(result));
      return this.summaryOf(this.record(runId));
    },
    predict: async ({ model, input, featureMaps }) => {
      const { loaded } = await this.loadedModel(model);
      const reading = read(loaded.model, loaded.inputShape, input, featureMaps === true);
      const probabilities = reading.probabilities;
      const digit = probabilities.reduce((best, p, k) => (p > probabilities[best] ? k : best), 0);
      return { digit, ...reading };
    },
    'settings.get': async () => this.settings.get(),
    'settings.set': async (changes) => this.settings.set(changes),
    'digits.list': async () => {
      const digits = await this.myDigits.list();
      const notice = this.myDigits.damaged;
      return { digits: digits.map(digitSummary), ...(notice ? { notice } : {}) };
    },
    'digits.add': async ({ label, input, png }) =>
      this.myDigitsCall(async () => {
        // the input as MNIST keeps its images: bytes 0–255, read back as bytes / 255
        const pixels = input.map((v) => Math.round(v * 255));
        const drawing = png === undefined ? undefined : checkDrawing(new Uint8Array(Buffer.from(png, 'base64')), 'digits.add.png');
        return digitSummary(await this.myDigits.add({ label, pixels, png: drawing }));
      }),
    'digits.delete': async ({ id }) => {
      if (!(await this.myDigits.delete(id))) throw new CallError(`there is no My digit ${id}`);
      return null;
    },
    'reproduce.start': async ({ presets, quick }) => this.reproduction.start(presets, quick),
    'reproduce.stop': async () => {
      this.reproduction.stop();
      return null;
    },
    'reproduce.status': async () => this.reproduction.get(),
    'digits.evaluate': async ({ model }) => {
      const digits = await this.myDigits.list();
      if (digits.length === 0) throw new CallError('there are no My digits to evaluate on yet: label some drawings in the Paint view first');
      const { runId, loaded } = await this.loadedModel(model);
      const examples = toExamples(digits);
      const scored = await predictAll(loaded.model, examples, loaded.inputShape, () => nextTurn());
      return {
        runId,
        count: digits.length,
        accuracy: scored.accuracy,
        confusionMatrix: confusionMatrix(examples.labels, scored.predicted),
        predictions: digits.map((d, i) => ({ id: d.id, label: d.label, predicted: scored.predicted[i], confidence: scored.confidence[i] })),
      };
    },
  };
}

function digitSummary(digit: MyDigit): MyDigitSummary {
  return { id: digit.id, label: digit.label, addedAt: digit.addedAt, pixels: Buffer.from(digit.pixels).toString('base64'), hasDrawing: digit.hasDrawing };
}

/** A model from elsewhere carries no lab description: it is listed by name and input, with no layers to edit. */
function importedSpec(name: string, inputShape: number[]): ModelSpec {
  const input = (Object.keys(INPUT_SHAPES) as InputKind[]).find((kind) => INPUT_SHAPES[kind].join() === inputShape.join()) ?? 'flat';
  return { name, input, layers: [], optimizer: 'adam', learningRate: 0.001, epochs: 0, batchSize: 0, validation: { kind: 'none' } };
}

/** Creates the lab's folders so a first run has somewhere to write. */
export async function createLabService(options: LabServiceOptions): Promise<LabService> {
  await mkdir(join(options.home, 'models'), { recursive: true });
  return new LabService(options);
}
