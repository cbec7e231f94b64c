// The lab's training session: one run at a time on the trainer for the backend the settings
// name, its events relayed to the renderer and kept for a view that opens mid-run, its end recorded.
import { randomUUID } from 'node:crypto';
import type { CallArgs, TrainStatus } from '../shared/contract';
import type { ModelSpec } from '../shared/model-spec';
import type { BackendChoice } from '../shared/backends';
import type { TrainEvent } from '../shared/training';
import { toExamples, type MyDigitsStore } from '../files/my-digits';
import type { RunStore } from '../files/run-store';
import { Trainer } from '../training/trainer';
import type { TrainExtras } from '../training/messages';
import type { Settings } from './settings';
import { LabError } from './lab-error';
import { choosePython } from '../engine/keras-engine';

/** What a session works with: the lab's stores, where the data is cached, and where its events go. */
export interface SessionDeps {
  settings: Settings;
  runs: RunStore;
  myDigits: MyDigitsStore;
  cacheDir: string;
  emit: (event: TrainEvent) => void;
}

interface TrainerFor {
  backend: BackendChoice;
  python: string;
}

/** Batch events kept for a view that opens mid-run; epoch events are all kept. */
const KEPT_BATCH_EVENTS = 200;

export class TrainSession {
  private trainer: Trainer;
  /** the backend and Python (for keras) the trainer was made for */
  private trainerFor: TrainerFor;
  private current: TrainStatus = { runId: null, paused: false, events: [] };
  /** the spec of the current run, so a run that fails before it starts is still recorded */
  private currentSpec: ModelSpec | null = null;

  constructor(private readonly lab: SessionDeps) {
    this.trainerFor = this.wanted();
    this.trainer = this.newTrainer(this.trainerFor);
  }

  /** the id of the run training now, if any */
  get running(): string | null {
    return this.trainer.running;
  }

  get status(): TrainStatus {
    return structuredClone(this.current);
  }

  async start(request: CallArgs<'train.start'>): Promise<string> {
    const runId = randomUUID();
    const extras = await this.extras(request);
    this.idleTrainer().start({ ...request, saveDir: this.lab.runs.newModelDir(runId) }, runId, extras);
    this.current = { runId, paused: false, events: [] };
    this.currentSpec = request.spec;
    return runId;
  }

  pause(): void {
    this.trainer.pause();
  }

  resume(): void {
    this.trainer.resume();
  }

  stop(): void {
    this.trainer.stop();
  }

  close(): Promise<void> {
    return this.trainer.close();
  }

  private wanted(): TrainerFor {
    const { backend, python } = this.lab.settings.get();
    return { backend, python: choosePython(python) };
  }

  private newTrainer({ backend, python }: TrainerFor): Trainer {
    const trainer = new Trainer({ backend, python, cacheDir: this.lab.cacheDir });
    trainer.on('event', (event) => void this.onEvent(event));
    return trainer;
  }

  /** The trainer for the next run, on the backend (and Python) the settings now name. */
  private idleTrainer(): Trainer {
    const wanted = this.wanted();
    const changed = wanted.backend !== this.trainerFor.backend || wanted.python !== this.trainerFor.python;
    if (changed && !this.trainer.running) {
      void this.trainer.close();
      this.trainer = this.newTrainer(wanted);
      this.trainerFor = wanted;
    }
    return this.trainer;
  }

  /** What a run needs beyond its request: My digits' examples, the saved model it starts from. */
  private async extras(request: CallArgs<'train.start'>): Promise<TrainExtras> {
    const extras: TrainExtras = {};
    if (request.myDigits) {
      const digits = await this.lab.myDigits.list();
      if (digits.length === 0) throw new LabError('train.noMyDigits', { path: 'train.start.myDigits' });
      const { count, images, labels } = toExamples(digits);
      extras.myDigits = { count, images, labels };
    }
    if (request.initFrom) {
      const runId = request.initFrom;
      if (!this.lab.runs.get(runId)) throw new LabError('run.unknown', { runId });
      if (!this.lab.runs.hasModel(runId)) throw new LabError('train.initFromNoModel', { path: 'train.start.initFrom', runId });
      extras.initDir = this.lab.runs.modelDir(runId);
    }
    return extras;
  }

  private async onEvent(received: TrainEvent): Promise<void> {
    let event = received;
    try {
      if (event.type === 'done') {
        await this.lab.runs.finished(event.result);
      } else if (event.type === 'failed' && this.currentSpec && event.runId === this.current.runId) {
        this.lab.runs.failed(event.runId, this.currentSpec, event.message);
      }
    } catch (error) {
      event = { type: 'failed', runId: event.runId, message: `the run ended, but its results could not be saved: ${(error as Error).message}` };
    }
    if (event.runId === this.current.runId) {
      const status = this.current;
      if (event.type === 'paused' || event.type === 'resumed') status.paused = event.type === 'paused';
      if (event.type === 'done' || event.type === 'failed') status.paused = false;
      status.events.push(event);
      if (event.type === 'batch' && status.events.filter((e) => e.type === 'batch').length > KEPT_BATCH_EVENTS) {
        status.events.splice(status.events.findIndex((e) => e.type === 'batch'), 1);
      }
    }
    this.lab.emit(event);
  }
}
