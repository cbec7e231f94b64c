// The training worker: owns the engine and a copy of the data, trains one run at a time.
import { parentPort } from 'node:worker_threads';
import { engineReport, initEngine } from '../engine/backend';
import { loadMnist, type Mnist } from '../data/mnist';
import type { EngineReport, TrainEvent } from '../shared/training';
import { RunControl } from './control';
import { fit } from './fit';
import { kerasFit } from './keras-fit';
import { choosePython } from '../engine/keras-engine';
import { LabError } from '../lab/lab-error';
import type { FromWorker, ToWorker } from './messages';

if (!parentPort) throw new Error('training/worker.ts must run in a worker thread');
const port = parentPort;

let data: Promise<Mnist> | null = null;
let control: RunControl | null = null;

function emit(event: TrainEvent): void {
  port.postMessage({ type: 'event', event } satisfies FromWorker);
}

port.on('message', async (message: ToWorker) => {
  switch (message.type) {
    case 'pause':
      control?.pause();
      return;
    case 'resume':
      control?.resume();
      return;
    case 'stop':
      control?.stop();
      return;
    case 'train': {
      const { runId, request } = message;
      control = new RunControl();
      try {
        const info = await initEngine(message.backend);
        const engine: EngineReport = engineReport(info);
        data ??= loadMnist({ cacheDir: message.cacheDir });
        const result =
          message.backend === 'keras'
            ? await kerasFit(request, await data, { runId, evaluator: engine, python: choosePython(message.python), emit, control, ...message.extras })
            : await fit(request, await data, { runId, engine, emit, control, ...message.extras });
        emit({ type: 'done', runId, result });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        emit({ type: 'failed', runId, message, ...(error instanceof LabError ? { code: error.code, params: error.params } : {}) });
      } finally {
        control = null;
      }
    }
  }
});
