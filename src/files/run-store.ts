// The one owner of runs on disk, for the CLI and the app alike: where a run's model lives,
// whether it still has one, its report, recording it when it ends, listing and deleting it.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { ModelSpec } from '../shared/model-spec';
import type { RunResult } from '../shared/training';
import { writeFileAtomic } from './atomic';
import { MODEL_JSON } from './model-files';
import { readLabMetadata } from './lab-metadata';
import { RunHistory, failedRecord, toRecord, type RunRecord } from './runs';
import { confStore, type StoreFactory } from './store';

/** The full RunResult, beside model.json in the run's folder. */
export const REPORT = 'report.json';
/** the folder, under the lab's home, where runs save their models */
export const MODELS_DIR = 'models';
/** the message of a run found on disk with no record: the lab was killed before it wrote one */
export const RECOVERED = 'recovered: the lab stopped before it recorded this run';

export class RunStore {
  private readonly history: RunHistory;
  /** the folder new runs save their models in: <home>/models */
  readonly modelsDir: string;

  constructor(home: string, createStore: StoreFactory = confStore) {
    this.history = new RunHistory(home, createStore);
    this.modelsDir = join(home, MODELS_DIR);
  }

  /** set when the history file could not be read and was put aside */
  get damaged(): string | null {
    return this.history.damaged;
  }

  list(): RunRecord[] {
    return this.history.list();
  }

  get(runId: string): RunRecord | undefined {
    return this.history.get(runId);
  }

  /** Where a new run with this id saves its model. */
  newModelDir(runId: string): string {
    return join(this.modelsDir, runId);
  }

  /** Where a run's model is: the folder its record names (the CLI's --out, say), else the lab's own. */
  modelDir(runId: string): string {
    return this.get(runId)?.modelDir ?? this.newModelDir(runId);
  }

  hasModel(runId: string): boolean {
    return existsSync(join(this.modelDir(runId), MODEL_JSON));
  }

  /** The last recorded run that still has its model. */
  latestWithModel(): RunRecord | undefined {
    return this.list().findLast((run) => this.hasModel(run.runId));
  }

  /** Records a finished or stopped run: its report beside its model, then its history entry. */
  async finished(result: RunResult): Promise<void> {
    await writeFileAtomic(join(result.modelDir ?? this.newModelDir(result.runId), REPORT), JSON.stringify(result, null, 2));
    this.history.add(toRecord(result));
  }

  /** Records a model folder that has no run record, from its report if it got one, else from the model's own metadata. */
  async recover(runId: string, dir: string): Promise<void> {
    const report = (await readJson(join(dir, REPORT))) as RunResult | null;
    if (report?.spec && report.evaluation) {
      this.history.add({ ...toRecord({ ...report, runId, modelDir: dir }), message: RECOVERED });
      return;
    }
    const modelJson = (await readJson(join(dir, MODEL_JSON))) as { userDefinedMetadata?: unknown } | null;
    const metadata = readLabMetadata(modelJson?.userDefinedMetadata);
    const spec: ModelSpec = metadata?.spec ?? { name: metadata?.name ?? runId, input: 'flat', layers: [], optimizer: 'adam', learningRate: 0.001, epochs: 0, batchSize: 0, validation: { kind: 'none' } };
    this.history.add({ runId, spec, status: 'stopped', modelDir: dir, message: RECOVERED, finishedAt: metadata?.createdAt });
  }

  failed(runId: string, spec: ModelSpec, message: string): void {
    this.history.add(failedRecord(runId, spec, message));
  }

  /** A run's full result, or null when it has none on disk (it failed, or its model was deleted). */
  async report(runId: string): Promise<RunResult | null> {
    try {
      return JSON.parse(await readFile(join(this.modelDir(runId), REPORT), 'utf8')) as RunResult;
    } catch {
      return null;
    }
  }

  /**
   * Forgets a run and deletes its model folder when the lab made it (under <home>/models).
   * A folder the user named (`digit-lab train --out DIR`) is theirs and stays.
   */
  async delete(runId: string): Promise<boolean> {
    const dir = this.modelDir(runId);
    const removed = this.history.remove(runId);
    if (this.ownsFolder(dir)) await rm(dir, { recursive: true, force: true });
    return removed;
  }

  private ownsFolder(dir: string): boolean {
    const path = relative(resolve(this.modelsDir), resolve(dir));
    return path !== '' && !path.startsWith('..') && !isAbsolute(path);
  }
}

/** A JSON file's value, or null when it is missing or does not parse. */
async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
}
