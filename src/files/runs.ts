// Run history: every finished, stopped or failed run, so runs can be listed and compared.
// conf writes the whole file to a temp name and renames it, so a kill mid-write loses nothing.
import Conf from 'conf';
import type { Evaluation, RunResult } from '../shared/training';

export type RunStatus = 'done' | 'stopped' | 'failed';

/** A run as history keeps it: the result without the per-image misclassified list (that stays in the model folder's report). */
export interface RunRecord extends Partial<Omit<RunResult, 'evaluation' | 'runId' | 'spec'>> {
  runId: string;
  spec: RunResult['spec'];
  status: RunStatus;
  evaluation?: Omit<Evaluation, 'misclassified'> & { misclassifiedCount: number };
  /** why a failed run failed */
  message?: string;
}

interface RunsFile {
  runs: RunRecord[];
}

const SCHEMA_VERSION = '1.0.0';

export class RunHistory {
  private readonly store: Conf<RunsFile>;

  constructor(dir: string) {
    this.store = new Conf<RunsFile>({
      cwd: dir,
      configName: 'runs',
      projectVersion: SCHEMA_VERSION,
      defaults: { runs: [] },
      schema: { runs: { type: 'array', items: { type: 'object', required: ['runId', 'status'] } } },
    });
  }

  list(): RunRecord[] {
    return this.store.get('runs');
  }

  get(runId: string): RunRecord | undefined {
    return this.list().find((run) => run.runId === runId);
  }

  add(record: RunRecord): void {
    this.store.set('runs', [...this.list().filter((run) => run.runId !== record.runId), record]);
  }

  remove(runId: string): boolean {
    const runs = this.list();
    const kept = runs.filter((run) => run.runId !== runId);
    this.store.set('runs', kept);
    return kept.length < runs.length;
  }

  get path(): string {
    return this.store.path;
  }
}

export function toRecord(result: RunResult): RunRecord {
  const { misclassified, ...evaluation } = result.evaluation;
  return {
    ...result,
    status: result.stopped ? 'stopped' : 'done',
    evaluation: { ...evaluation, misclassifiedCount: misclassified.length },
  };
}

export function failedRecord(runId: string, spec: RunResult['spec'], message: string): RunRecord {
  return { runId, spec, status: 'failed', message, finishedAt: new Date().toISOString() };
}
