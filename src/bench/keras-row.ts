// The bench's keras row: the Keras engine as the lab drives it (resources/keras_engine.py over
// its protocol, events and all), timed from the lab's side of the pipe.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist } from '../data/mnist';
import { MNIST_FILES } from '../data/files';
import { presetSpec } from '../shared/presets';
import { KerasWorker } from '../engine/keras-engine';
import type { FromKeras } from '../engine/keras-protocol';
import type { BenchRow } from './row';

type Batch = Extract<FromKeras, { type: 'batch' }>;

/** The worker's peak resident memory (Linux), or NaN where /proc does not say; read at once, while it runs. */
function peakRssMB(pid: number | undefined): number {
  let status = '';
  try {
    if (pid !== undefined) status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // not Linux, or already gone
  }
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : NaN;
}

/**
 * One epoch of the first `samples` training images at the preset's batch size, no validation.
 * samples/s runs from the first batch event to the last (the events are throttled, as in a
 * run, so a few batches at either end may fall outside); first batch counts from the spawn.
 */
export async function measureKeras(python: string, preset: string, samples: number): Promise<BenchRow> {
  const data = await loadMnist();
  const spec = { ...presetSpec(preset), epochs: 1, validation: { kind: 'none' as const } };
  const dir = await mkdtemp(join(tmpdir(), 'digit-lab-bench-keras-'));
  const started = performance.now();
  let worker: KerasWorker | null = null;
  try {
    worker = await KerasWorker.start(python);
    const running = worker;
    const [trainImages, trainLabels, testImages, testLabels] = MNIST_FILES.map((file) => join(data.dir, file.name));
    const marks: { first?: { at: number; batch: Batch }; last?: { at: number; batch: Batch }; rss?: number } = {};
    await new Promise<void>((resolve, reject) => {
      running.onEnd(reject);
      running.onMessage((message) => {
        if (message.type === 'batch') {
          const at = performance.now();
          marks.first ??= { at, batch: message };
          marks.last = { at, batch: message };
          if (message.batch === message.batches) marks.rss = peakRssMB(running.pid);
        } else if (message.type === 'saved') resolve();
        else if (message.type === 'failed') reject(new Error(message.message));
      });
      running.send({
        type: 'train',
        spec,
        seed: 1,
        data: { trainImages, trainLabels, testImages, testLabels },
        train: { count: samples },
        validation: { kind: 'none' },
        myDigits: null,
        initWeights: null,
        out: join(dir, 'bench.keras'),
      });
    });
    const { first, last } = marks;
    if (!first || !last || last.batch.batch === first.batch.batch) throw new Error(`${samples} samples make too few batches to time`);
    const seconds = (last.at - first.at) / 1000;
    const hello = worker.hello!;
    return {
      preset,
      backend: 'keras',
      workers: 1,
      batchSize: spec.batchSize,
      samples: last.batch.samples - first.batch.samples,
      samplesPerSecond: (last.batch.samples - first.batch.samples) / seconds,
      msPerStep: (seconds * 1000) / (last.batch.batch - first.batch.batch),
      peakRssMB: marks.rss ?? NaN,
      firstBatchSeconds: (first.at - started) / 1000,
      // the worker reads the lab's raw files itself; the lab's readings of its model run on wasm
      dataReadySeconds: NaN,
      predictP95Ms: NaN,
      kerasBackend: hello.backend,
      note: `the keras row is the Keras engine: Keras ${hello.keras} on ${hello.backend} in ${python}, driven over its protocol; its models are read on the lab's own engine`,
    };
  } finally {
    worker?.kill();
    await rm(dir, { recursive: true, force: true });
  }
}
