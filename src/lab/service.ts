// The lab behind the contract: one implementation of every call for both transports
// (Electron IPC and the browser mode's WebSocket). No Electron and no transport here.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CallArgs, CallName, CallResult, DataStatus, DownloadOutcome, EventName, LabEvents, RunSummary, Samples, TrainStatus } from '../shared/contract';
import { countParams, inferLayers, summary } from '../shared/model-spec';
import { PRESETS } from '../shared/presets';
import type { RunResult, TrainEvent } from '../shared/training';
import { defaultCacheDir, describeMnist, loadMnist, type Mnist } from '../data/mnist';
import { downloadMnist } from '../data/download';
import { initEngine } from '../engine/backend';
import { Trainer } from '../training/trainer';
import { evaluate } from '../training/evaluate';
import { RunHistory, failedRecord, toRecord, type RunRecord } from '../files/runs';
import { importModel, loadModel, MODEL_JSON, type LoadedModel } from '../files/model-files';
import { writeFileAtomic } from '../files/atomic';
import { Settings } from './settings';
import { CallError, validateCall } from './validate';

const REPORT = 'report.json';
/** Batch events kept for a view that opens mid-run; epoch events are all kept. */
const KEPT_BATCH_EVENTS = 200;
const PIXELS = 784;

export interface LabServiceOptions {
  /** where models, run history and settings live (labHome() in the app) */
  home: string;
  cacheDir?: string;
}

type Handlers = { [K in CallName]: (args: CallArgs<K>) => Promise<CallResult<K>> };

export class LabService {
  private readonly events = new EventEmitter();
  private readonly history: RunHistory;
  private readonly settings: Settings;
  private readonly trainer: Trainer;
  private readonly cacheDir: string;
  private data: Promise<Mnist> | null = null;
  private download: AbortController | null = null;
  private status: TrainStatus = { runId: null, paused: false, events: [] };
  private readonly models = new Map<string, Promise<LoadedModel>>();

  constructor(private readonly options: LabServiceOptions) {
    this.history = new RunHistory(options.home);
    this.settings = new Settings(options.home);
    this.cacheDir = options.cacheDir ?? defaultCacheDir();
    this.trainer = new Trainer({ backend: this.settings.get().backend, cacheDir: this.cacheDir });
    this.trainer.on('event', (event) => void this.onTrainEvent(event));
  }

  on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  private emit<E extends EventName>(event: E, payload: LabEvents[E]): void {
    this.events.emit(event, payload);
  }

  /** Validates and runs one call; any failure is an Error whose message the user can act on. */
  async call(name: unknown, args: unknown): Promise<unknown> {
    const call = validateCall(name, args ?? null);
    const handler = this.handlers[call] as (args: unknown) => Promise<unknown>;
    return handler(args ?? null);
  }

  async close(): Promise<void> {
    this.download?.abort();
    await this.trainer.close();
    for (const model of this.models.values()) (await model.catch(() => null))?.model.dispose();
    this.models.clear();
  }

  private mnist(): Promise<Mnist> {
    this.data ??= loadMnist({ cacheDir: this.cacheDir });
    this.data.catch(() => {
      this.data = null;
    });
    return this.data;
  }

  private modelDir(runId: string): string {
    return join(this.options.home, 'models', runId);
  }

  private async onTrainEvent(event: TrainEvent): Promise<void> {
    if (event.runId === this.status.runId) {
      if (event.type === 'paused' || event.type === 'resumed') this.status.paused = event.type === 'paused';
      const events = this.status.events;
      events.push(event);
      const batches = events.filter((e) => e.type === 'batch');
      if (batches.length > KEPT_BATCH_EVENTS) events.splice(events.indexOf(batches[0]), 1);
    }
    if (event.type === 'done') {
      await writeFileAtomic(join(this.modelDir(event.runId), REPORT), JSON.stringify(event.result));
      this.history.add(toRecord(event.result));
    } else if (event.type === 'failed') {
      const spec = this.status.events.find((e) => e.type === 'start');
      if (spec?.type === 'start') this.history.add(failedRecord(event.runId, spec.spec, event.message));
    }
    if (event.type === 'done' || event.type === 'failed') this.status.paused = false;
    this.emit('train.event', event);
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
      hasModel: existsSync(join(this.modelDir(record.runId), MODEL_JSON)),
    };
  }

  private record(runId: string): RunRecord {
    const record = this.history.get(runId);
    if (!record) throw new CallError(`no run ${runId}`);
    return record;
  }

  private async report(runId: string): Promise<RunResult> {
    this.record(runId);
    try {
      return JSON.parse(await readFile(join(this.modelDir(runId), REPORT), 'utf8')) as RunResult;
    } catch {
      throw new CallError(`run ${runId} has no saved report (it failed, or its model was deleted)`);
    }
  }

  private latestModelRun(): string {
    const run = [...this.history.list()].reverse().find((r) => existsSync(join(this.modelDir(r.runId), MODEL_JSON)));
    if (!run) throw new CallError('there is no trained model yet: train one, or import one');
    return run.runId;
  }

  private model(runId: string): Promise<LoadedModel> {
    let model = this.models.get(runId);
    if (!model) {
      this.record(runId);
      model = loadModel(this.modelDir(runId));
      model.catch(() => this.models.delete(runId));
      this.models.set(runId, model);
    }
    return model;
  }

  private readonly handlers: Handlers = {
    'engine.info': async () => {
      const info = await initEngine(this.settings.get().backend);
      return { backend: info.backend, version: info.version, reason: info.reason };
    },
    'data.status': async (): Promise<DataStatus> => {
      return {
        ...describeMnist(await this.mnist()),
        cacheDir: this.cacheDir,
        mirrors: this.settings.get().mirrors,
      };
    },
    'data.download': async ({ mirrors }): Promise<DownloadOutcome> => {
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
      const pixels = new Uint8Array(indices.length * PIXELS);
      indices.forEach((index, k) => pixels.set(set.pixels.subarray(index * PIXELS, (index + 1) * PIXELS), k * PIXELS));
      return { indices, labels: indices.map((i) => set.labels[i]), pixels: Buffer.from(pixels).toString('base64'), total };
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
      this.trainer.start({ ...request, saveDir: this.modelDir(runId) }, runId);
      this.status = { runId, paused: false, events: [] };
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
      this.record(runId);
      if (this.trainer.running === runId) throw new CallError('that run is still training: stop it first');
      const cached = this.models.get(runId);
      this.models.delete(runId);
      (await cached?.catch(() => null))?.model.dispose();
      this.history.remove(runId);
      await rm(this.modelDir(runId), { recursive: true, force: true });
      return null;
    },
    'models.export': async ({ runId }) => {
      this.record(runId);
      const dir = this.modelDir(runId);
      const modelJson = await readFile(join(dir, MODEL_JSON), 'utf8').catch(() => {
        throw new CallError(`run ${runId} has no saved model`);
      });
      const weights: Record<string, string> = {};
      for (const name of await readdir(dir)) {
        if (name.endsWith('.bin')) weights[name] = (await readFile(join(dir, name))).toString('base64');
      }
      return { modelJson, weights };
    },
    'models.import': async ({ files, name }) => {
      if (!files.some((f) => f.name.endsWith('.json'))) throw new CallError('models.import.files needs a model.json');
      const staging = await mkdtemp(join(this.options.home, 'import-'));
      try {
        for (const file of files) await writeFile(join(staging, file.name), Buffer.from(file.base64, 'base64'));
        const json = files.find((f) => f.name === MODEL_JSON) ?? files.find((f) => f.name.endsWith('.json'))!;
        const runId = randomUUID();
        await initEngine(this.settings.get().backend);
        const loaded = await importModel(join(staging, json.name), this.modelDir(runId));
        const data = await this.mnist();
        const evaluation = await evaluate(loaded.model, data.test, loaded.inputShape);
        const params = loaded.model.countParams();
        loaded.model.dispose();
        const spec = loaded.metadata?.spec ?? { name: name ?? json.name.replace(/\.json$/, ''), input: 'flat' as const, layers: [], optimizer: 'adam' as const, learningRate: 0.001, epochs: 0, batchSize: 0, validation: { kind: 'none' as const } };
        const result: RunResult = {
          runId,
          spec: { ...spec, name: name ?? spec.name },
          history: (loaded.metadata?.history as RunResult['history']) ?? {},
          evaluation,
          epochsCompleted: 0,
          stopped: false,
          durationSeconds: 0,
          trainCount: 0,
          validationCount: 0,
          params,
          engine: { backend: 'imported', version: '', reason: 'imported model' },
          finishedAt: new Date().toISOString(),
          modelDir: this.modelDir(runId),
        };
        await writeFileAtomic(join(this.modelDir(runId), REPORT), JSON.stringify(result));
        this.history.add(toRecord(result));
        return this.summaryOf(this.record(runId));
      } catch (error) {
        throw new CallError((error as Error).message.replace(staging + '/', ''));
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    },
    predict: async ({ model, input }) => {
      await initEngine(this.settings.get().backend);
      const loaded = await this.model(model === 'latest' ? this.latestModelRun() : model);
      const probabilities = tf.tidy(() => Array.from((loaded.model.predict(tf.tensor(input, [1, ...loaded.inputShape])) as tf.Tensor).dataSync()));
      return { digit: probabilities.indexOf(Math.max(...probabilities)), probabilities };
    },
    'settings.get': async () => this.settings.get(),
    'settings.set': async (changes) => this.settings.set(changes),
  };
}

/** Creates the lab's folders so a first run has somewhere to write. */
export async function createLabService(options: LabServiceOptions): Promise<LabService> {
  await mkdir(join(options.home, 'models'), { recursive: true });
  return new LabService(options);
}
