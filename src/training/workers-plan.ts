// How many threads train a run, and why: `--workers N` forces N; 'auto' takes one per core
// for models whose step is heavy enough to split, as long as each thread keeps a share of the
// batch big enough to be worth its synchronisation.
import { availableParallelism } from 'node:os';
import { LAYERS, type ModelSpec } from '../shared/model-spec';
import { MAX_WORKERS } from '../shared/limits';
import type { WorkersChoice, WorkersReason } from '../shared/training';

/**
 * The fewest samples of a batch 'auto' gives a thread. A gradient pass has a fixed cost besides
 * its cost per sample (README, "Training threads and scaling": CPU time of one pass on wasm,
 * this machine, busy): from 16 samples to 8 the cost per sample rose 1.4× for cnn-16-36 and
 * 1.9× for lstm-128 and mlp-256, against under 1.3× (cnn-16-36) from 150 to 16.
 */
export const MIN_SHARE = 16;

const GPU_BACKENDS = new Set(['webgpu', 'tensorflow-gpu']);

export interface WorkersPlan {
  workers: number;
  why: WorkersReason;
}

/** Whether the backend trains through replicas (wasm and cpu run one thread per isolate). */
export function splitsOverReplicas(backend: string): backend is 'wasm' | 'cpu' {
  return backend === 'wasm' || backend === 'cpu';
}

export function planWorkers(choice: WorkersChoice | undefined, backend: string, spec: ModelSpec, cores = availableParallelism()): WorkersPlan {
  const asked = choice === undefined || choice === 'auto' ? 0 : choice;
  if (!splitsOverReplicas(backend)) return { workers: 1, why: { key: GPU_BACKENDS.has(backend) ? 'gpu' : 'native', params: { asked } } };
  if (asked > 0) return { workers: asked, why: { key: 'forced', params: { asked } } };
  if (!spec.layers.some((layer) => LAYERS[layer.type].kind !== 'core')) return { workers: 1, why: { key: 'denseOnly', params: {} } };
  const byShare = Math.max(1, Math.floor(spec.batchSize / MIN_SHARE));
  const workers = Math.min(cores, byShare, MAX_WORKERS);
  if (workers === cores) return { workers, why: { key: 'cores', params: { cores } } };
  return { workers, why: { key: 'batchShare', params: { cores, batch: spec.batchSize, share: MIN_SHARE } } };
}

/** The plan's reason in English, for the CLI and the bench (the renderer has its own words per key). */
export function workersReasonText(workers: number, why: WorkersReason, backend: string): string {
  const { key, params } = why;
  const n = workers;
  const threads = `${n} training thread${n === 1 ? '' : 's'}`;
  switch (key) {
    case 'native':
      return params.asked > 1
        ? `--workers ${params.asked} does not apply to ${backend}: TensorFlow splits each step over every core itself`
        : `1 training thread: TensorFlow splits each step over every core itself`;
    case 'gpu':
      return params.asked > 1
        ? `--workers ${params.asked} does not apply to ${backend}: the GPU runs each step in parallel itself`
        : `1 training thread: the GPU runs each step in parallel itself`;
    case 'forced':
      return `${threads}, as --workers asked`;
    case 'denseOnly':
      return `${threads}: a dense-only model's step is too light to pay for splitting it`;
    case 'cores':
      return `${threads}: one per core`;
    case 'batchShare':
      return `${threads} on ${params.cores} cores: each keeps at least ${params.share} samples of a batch of ${params.batch}`;
  }
}
