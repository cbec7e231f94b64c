// What `digit-lab engine` and the Settings view show: the engines this install has, and which
// one each job uses for a backend choice, and why.
import * as tf from '@tensorflow/tfjs';
import type { EngineStatus, EnginesReport, JobEngine } from '../shared/contract';
import type { BackendChoice, BackendName } from '../shared/backends';
import { loadNodeBackend, NODE_PACKAGES } from './node-backend';
import { LINK_COMMAND, linkRecord } from './link-tensorflow';

/**
 * The choice single-image readings (the paint pad, one predict) run on. Under 'auto' that is
 * wasm: for one 28×28 image TensorFlow's per-op overhead costs more than its kernels save
 * (`digit-lab bench`'s "predict p95" column), while batches of training and test images
 * run faster on tensorflow.
 */
export function readingChoice(choice: BackendChoice): BackendChoice {
  return choice === 'auto' ? 'wasm' : choice;
}

function forcedBackend(choice: Exclude<BackendChoice, 'auto'>): BackendName {
  return choice === 'tensorflow-gpu' ? 'tensorflow' : choice;
}

/** Which backend each job uses; `tensorflow` says whether tfjs-node loads here. */
export function jobEngines(choice: BackendChoice, tensorflow: boolean): JobEngine[] {
  if (choice !== 'auto') {
    const backend = forcedBackend(choice);
    const why = `the backend is set to ${choice}`;
    return (['train', 'evaluate', 'paint'] as const).map((job) => ({ job, backend, why }));
  }
  const batches: JobEngine = tensorflow
    ? { job: 'train', backend: 'tensorflow', why: 'native TensorFlow is the fastest engine here for batches; it spreads each step over every core' }
    : { job: 'train', backend: 'wasm', why: `${NODE_PACKAGES.cpu} is not available; run \`${LINK_COMMAND}\` to add it` };
  return [
    batches,
    { ...batches, job: 'evaluate' },
    { job: 'paint', backend: 'wasm', why: tensorflow ? 'one image at a time, wasm answers sooner than TensorFlow' : 'wasm is the fastest engine here' },
  ];
}

export async function describeEngines(choice: BackendChoice): Promise<EnginesReport> {
  const native = await loadNodeBackend(false);
  const link = linkRecord();
  const tensorflowDetail = native.ok
    ? link
      ? `${NODE_PACKAGES.cpu} on TensorFlow ${link.loaded}, linked to ${link.distribution} ${link.tensorflow} in ${link.dir}`
      : `${NODE_PACKAGES.cpu} is installed`
    : `${native.why}; \`${LINK_COMMAND} [--python PATH]\` builds it against a Python TensorFlow`;
  return {
    choice,
    engines: [
      { backend: 'tensorflow', available: native.ok, detail: tensorflowDetail },
      { backend: 'wasm', available: true, detail: `@tensorflow/tfjs-backend-wasm ${tf.version.tfjs}, ships with the lab` },
      { backend: 'cpu', available: true, detail: 'plain JavaScript, only when asked for' },
    ],
    jobs: jobEngines(choice, native.ok),
    ...(link ? { link } : {}),
    linkCommand: LINK_COMMAND,
  };
}
