// What a finished run records, whichever engine trained it: its result and, where asked, its saved model.
import type * as tf from '@tensorflow/tfjs';
import type { Mnist } from '../data/mnist';
import { saveModel } from '../files/model-files';
import type { RunResult } from '../shared/training';

/** What the training loop knows; whether it stopped and when it ended follow. */
export type RunFacts = Omit<RunResult, 'stopped' | 'durationSeconds' | 'finishedAt' | 'modelDir'>;

export async function finishRun(model: tf.LayersModel, data: Mnist, facts: RunFacts, durationSeconds: number, saveDir?: string): Promise<RunResult> {
  const { spec, history, evaluation } = facts;
  const result: RunResult = {
    ...facts,
    stopped: facts.epochsCompleted < spec.epochs,
    durationSeconds,
    finishedAt: new Date().toISOString(),
  };
  if (saveDir) {
    await saveModel(model, saveDir, {
      format: 1,
      name: spec.name,
      spec,
      history,
      evaluation: { loss: evaluation.loss, accuracy: evaluation.accuracy, confusionMatrix: evaluation.confusionMatrix },
      backend: facts.engine.backend,
      datasetSha256: data.sha256,
      createdAt: result.finishedAt,
      source: 'trained',
    });
    result.modelDir = saveDir;
  }
  return result;
}
