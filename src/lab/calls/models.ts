// models.*: the presets, a description's Keras summary, and a run's model files out and in.
import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { countParams, inferLayers, INPUT_SHAPES, summary, type InputKind, type ModelSpec } from '../../shared/model-spec';
import { PRESETS } from '../../shared/presets';
import type { Evaluation, History, RunResult } from '../../shared/training';
import { initEngine } from '../../engine/backend';
import { evaluate } from '../../training/evaluate';
import { MODEL_JSON } from '../../files/model-files';
import type { LabContext } from '../context';
import { importUpload } from '../import-upload';
import { kerasDownload } from '../keras-download';
import { scaleProbe } from '../../keras/build';
import { LabError } from '../lab-error';
import type { Handlers } from './handlers';
import { runSummary } from './runs';

type ModelsCall = 'models.presets' | 'models.summary' | 'models.export' | 'models.exportKeras' | 'models.import';

export function modelsCalls(lab: LabContext): Handlers<ModelsCall> {
  return {
    'models.presets': async () => structuredClone([...PRESETS]),
    'models.summary': async ({ spec }) => {
      const rows = inferLayers(spec);
      return { text: summary(spec), rows, totalParams: countParams(rows) };
    },
    'models.export': async ({ runId }) => {
      lab.record(runId);
      const dir = lab.runs.modelDir(runId);
      if (!lab.runs.hasModel(runId)) throw new LabError('run.noModel', { runId });
      const modelJson = await readFile(join(dir, MODEL_JSON), 'utf8');
      const weights: Record<string, string> = {};
      for (const name of await readdir(dir)) {
        if (name.endsWith('.bin')) weights[name] = (await readFile(join(dir, name))).toString('base64');
      }
      return { modelJson, weights };
    },
    'models.exportKeras': async ({ runId, format }) => {
      lab.record(runId);
      if (!lab.runs.hasModel(runId)) throw new LabError('run.noModel', { runId });
      return kerasDownload(lab.runs.modelDir(runId), format);
    },
    'models.import': async ({ files, name }) => {
      const runId = randomUUID();
      const dir = lab.runs.newModelDir(runId);
      await initEngine(lab.settings.get().backend);
      const test = (await lab.mnist.get()).test;
      const loaded = await importUpload(files, lab.home, dir, scaleProbe(test));
      const params = loaded.model.countParams();
      let evaluation: Evaluation;
      try {
        // Evaluated like a trained run, a batch at a time, so the process stays responsive.
        evaluation = await evaluate(loaded.model, test, loaded.inputShape, () => nextTurn());
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw new LabError('models.notEvaluated', { reason: (error as Error).message });
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
        ...(loaded.notes.length > 0 ? { notes: loaded.notes } : {}),
      };
      await lab.runs.finished(result);
      return runSummary(lab.record(runId), lab.runs);
    },
  };
}

/** A model from elsewhere carries no lab description: it is listed by name and input, with no layers to edit. */
function importedSpec(name: string, inputShape: number[]): ModelSpec {
  const input = (Object.keys(INPUT_SHAPES) as InputKind[]).find((kind) => INPUT_SHAPES[kind].join() === inputShape.join()) ?? 'flat';
  return { name, input, layers: [], optimizer: 'adam', learningRate: 0.001, epochs: 0, batchSize: 0, validation: { kind: 'none' } };
}
