// What the lab's calls share: the stores, the data, the loaded models, the training session, events.
import { EventEmitter } from 'node:events';
import type { EventName, LabEvents } from '../shared/contract';
import { defaultCacheDir } from '../data/mnist';
import { initEngine } from '../engine/backend';
import type { BackendChoice } from '../shared/backends';
import { RunStore } from '../files/run-store';
import type { RunRecord } from '../files/runs';
import type { LoadedModel } from '../files/model-files';
import { MyDigitsStore } from '../files/my-digits';
import { confStore, type StoreFactory } from '../files/store';
import { Settings } from './settings';
import { ModelCache } from './model-cache';
import { MnistSource } from './mnist-source';
import { TrainSession } from './train-session';
import { LabError } from './lab-error';

export interface LabServiceOptions {
  /** where models, run history and settings live (labHome() in the app) */
  home: string;
  /** the MNIST download cache (defaultCacheDir() in the app) */
  cacheDir?: string;
  /** how settings are kept: conf by default, electron-store in the desktop app */
  createStore?: StoreFactory;
}

export class LabContext {
  readonly home: string;
  readonly events = new EventEmitter();
  readonly settings: Settings;
  readonly runs: RunStore;
  readonly myDigits: MyDigitsStore;
  readonly mnist: MnistSource;
  readonly models = new ModelCache();
  readonly training: TrainSession;

  constructor(options: LabServiceOptions) {
    this.home = options.home;
    this.settings = new Settings(options.home, options.createStore ?? confStore);
    this.runs = new RunStore(options.home, options.createStore ?? confStore);
    this.myDigits = new MyDigitsStore(options.home);
    this.mnist = new MnistSource(options.cacheDir ?? defaultCacheDir());
    const { settings, runs, myDigits } = this;
    this.training = new TrainSession({ settings, runs, myDigits, cacheDir: this.mnist.cacheDir, emit: (event) => this.emit('train.event', event) });
  }

  emit<E extends EventName>(event: E, payload: LabEvents[E]): void {
    for (const listener of this.events.listeners(event)) {
      try {
        listener(payload);
      } catch {
        // one transport's failure (a closed socket, a destroyed window) is not the others'
      }
    }
  }

  record(runId: string): RunRecord {
    const record = this.runs.get(runId);
    if (!record) throw new LabError('run.unknown', { runId });
    return record;
  }

  /** A run id or 'latest', as a run that has a saved model. */
  modelRun(model: string): string {
    const runId = model === 'latest' ? this.latestModelRun() : model;
    this.record(runId);
    if (!this.runs.hasModel(runId)) throw new LabError('run.noModel', { runId });
    return runId;
  }

  /** The saved model of a run (or 'latest'), loaded on the engine the settings choose (or `choice`). */
  async loadedModel(model: string, choice: BackendChoice = this.settings.get().backend): Promise<{ runId: string; loaded: LoadedModel }> {
    await initEngine(choice);
    const runId = this.modelRun(model);
    return { runId, loaded: await this.models.get(runId, this.runs.modelDir(runId)) };
  }

  private latestModelRun(): string {
    const run = this.runs.latestWithModel();
    if (!run) throw new LabError('run.noModelYet');
    return run.runId;
  }
}
