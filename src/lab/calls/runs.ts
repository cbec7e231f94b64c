// runs.*: every run as history keeps it, its full results, and deleting it with its model.
import type { RunSummary } from '../../shared/contract';
import type { RunResult } from '../../shared/training';
import type { RunRecord } from '../../files/runs';
import type { RunStore } from '../../files/run-store';
import type { LabContext } from '../context';
import { LabError } from '../lab-error';
import type { Handlers } from './handlers';

type RunsCall = 'runs.list' | 'runs.get' | 'runs.evaluation' | 'runs.delete';

export function runsCalls(lab: LabContext): Handlers<RunsCall> {
  const report = async (runId: string): Promise<RunResult> => {
    lab.record(runId);
    const result = await lab.runs.report(runId);
    if (!result) throw new LabError('run.noResults', { runId });
    return result;
  };
  return {
    'runs.list': async () => lab.runs.list().map((record) => runSummary(record, lab.runs)),
    'runs.get': async ({ runId }) => report(runId),
    'runs.evaluation': async ({ runId }) => (await report(runId)).evaluation,
    'runs.delete': async ({ runId }) => {
      if (lab.training.running === runId) throw new LabError('run.stillTraining');
      lab.record(runId);
      await lab.models.forget(runId);
      await lab.runs.delete(runId);
      return null;
    },
  };
}

export function runSummary(record: RunRecord, runs: RunStore): RunSummary {
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
    trainCount: record.trainCount,
    validationCount: record.validationCount,
    myDigitsCount: record.myDigitsCount,
    seed: record.seed,
    history: record.history,
    backend: record.engine?.backend,
    finishedAt: record.finishedAt,
    message: record.message,
    notes: record.notes,
    hasModel: runs.hasModel(record.runId),
  };
}
