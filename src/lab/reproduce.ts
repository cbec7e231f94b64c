// The desktop lab's "Reproduce the tutorials": the seed presets trained one after another
// through the lab's own train.start (so each is a run in the Runs view), the table filled in
// as each run ends.
import { finishedRow, reproducePresets, reproduceRequest, runEtaSeconds, waitingRow, type ReproduceStatus } from '../shared/reproduce';
import type { TrainEvent, TrainRequest } from '../shared/training';
import { LabError } from './lab-error';

export interface ReproduceHooks {
  /** starts one run as train.start does; its events then come to onTrainEvent */
  startRun(request: TrainRequest): Promise<{ runId: string }>;
  stopRun(): void;
  emit(status: ReproduceStatus): void;
}

export class Reproduction {
  private status: ReproduceStatus = { running: false, quick: false, rows: [], current: null, etaSeconds: null };
  private runId: string | null = null;
  private stopping = false;

  constructor(private readonly hooks: ReproduceHooks) {}

  get(): ReproduceStatus {
    return structuredClone(this.status);
  }

  async start(ids: string[] = [], quick = false): Promise<ReproduceStatus> {
    if (this.status.running) throw new LabError('reproduce.running');
    const presets = reproducePresets(ids);
    this.status = { running: true, quick, rows: presets.map(waitingRow), current: null, etaSeconds: null };
    this.stopping = false;
    await this.next();
    return this.get();
  }

  stop(): void {
    if (!this.status.running) return;
    this.stopping = true;
    this.hooks.stopRun();
  }

  /** Every train event of the lab; only the current preset's run counts. */
  onTrainEvent(event: TrainEvent): void {
    if (!this.status.running || event.runId !== this.runId) return;
    const index = this.status.rows.findIndex((row) => row.preset === this.status.current);
    const row = this.status.rows[index];
    if (event.type === 'batch') {
      this.status.etaSeconds = runEtaSeconds(event, reproduceRequest(this.preset(row.preset), this.status.quick).spec.epochs);
      return; // the Train view shows each batch; the table changes per run
    }
    if (event.type === 'done') {
      const { evaluation, durationSeconds, stopped } = event.result;
      this.status.rows[index] = finishedRow(row, evaluation.accuracy, durationSeconds, stopped, event.runId);
    } else if (event.type === 'failed') {
      this.status.rows[index] = { ...row, status: 'failed', message: event.message };
    } else {
      return;
    }
    void this.next();
  }

  private preset(id: string) {
    return reproducePresets([id])[0];
  }

  private async next(): Promise<void> {
    const row = this.status.rows.find((r) => r.status === 'waiting');
    if (!row || this.stopping) {
      this.status = { ...this.status, running: false, current: null, etaSeconds: null };
      this.runId = null;
      this.hooks.emit(this.get());
      return;
    }
    row.status = 'training';
    this.status.current = row.preset;
    this.status.etaSeconds = null;
    try {
      this.runId = (await this.hooks.startRun(reproduceRequest(this.preset(row.preset), this.status.quick))).runId;
      this.hooks.emit(this.get());
    } catch (error) {
      Object.assign(row, { status: 'failed', message: (error as Error).message });
      await this.next();
    }
  }
}
