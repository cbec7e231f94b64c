// Run history: every finished, stopped or failed run, so runs can be listed and compared.
// conf writes the whole file to a temp name and renames it, so a kill mid-write loses nothing.
import type Conf from 'conf';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Evaluation, RunResult } from '../shared/training';
import { confStore, type StoreFactory, type StoreOptions } from './store';

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
  /** set when the history file could not be read and was put aside */
  readonly damaged: string | null = null;

  constructor(dir: string, createStore: StoreFactory = confStore) {
    const options: StoreOptions<RunsFile> = {
      cwd: dir,
      name: 'runs',
      schemaVersion: SCHEMA_VERSION,
      defaults: { runs: [] },
      schema: { runs: { type: 'array', items: { type: 'object', required: ['runId', 'status'] } } },
    };
    try {
      this.store = createStore(options);
    } catch (error) {
      // A damaged history is kept aside, never deleted, and the lab starts with an empty one.
      const file = join(dir, 'runs.json');
      const aside = `${file}.damaged-${Date.now()}`;
      if (!existsSync(file)) throw error;
      renameSync(file, aside);
      this.damaged = `${file} could not be read (${(error as Error).message.split('\n')[0]}); it was kept as ${aside}`;
      this.store = createStore(options);
    }
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
