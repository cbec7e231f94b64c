// What `digit-lab engine` and the Settings view show: the engines this install has, and which
// one each job uses for a backend choice, and why.
import * as tf from '@tensorflow/tfjs';
import type { EngineStatus, EnginesReport, JobEngine } from '../shared/contract';
import type { BackendChoice, BackendName } from '../shared/backends';
import { loadNodeBackend, NODE_PACKAGES } from './node-backend';
import { LINK_COMMAND, linkRecord } from './link-tensorflow';
import { adapterLine, adapterName, loadWebgpuBackend, WEBGPU_INSTALL, webgpuVerdict, type WebgpuLoad } from './webgpu-backend';
import { DEFAULT_PYTHON, probeKeras } from './keras-engine';
import { LabError } from '../lab/lab-error';

/**
 * The choice single-image readings (the paint pad, one predict) run on. Under 'auto' that is
 * wasm: for one 28×28 image TensorFlow's per-op overhead costs more than its kernels save
 * (`digit-lab bench`'s "predict p95" column), while batches of training and test images
 * run faster on tensorflow. Under 'webgpu' it is wasm too: a reading is read back at once
 * (dataSync), which the webgpu backend can do only in a browser.
 */
export function readingChoice(choice: BackendChoice): BackendChoice {
  return choice === 'auto' || choice === 'keras' ? 'wasm' : syncReadChoice(choice);
}

/** The choice for work that reads results back at once (dataSync): webgpu's goes to wasm. */
export function syncReadChoice(choice: BackendChoice): BackendChoice {
  return choice === 'webgpu' ? 'wasm' : choice;
}

function forcedBackend(choice: Exclude<BackendChoice, 'auto' | 'keras'>): BackendName {
  return choice === 'tensorflow-gpu' ? 'tensorflow' : choice;
}

/**
 * Which backend each job uses; `tensorflow` says whether tfjs-node loads here, `webgpu` what
 * loading the WebGPU engine gave (absent: not looked at).
 */
export function jobEngines(choice: BackendChoice, tensorflow: boolean, webgpu?: WebgpuLoad): JobEngine[] {
  if (choice === 'keras') {
    // Keras trains; the model it saves is the lab's to evaluate and read, as under auto
    const [, ...jobs] = jobEngines('auto', tensorflow, webgpu);
    return [{ job: 'train', backend: 'keras', why: 'the backend is set to keras', whyKey: 'forced' }, ...jobs];
  }
  if (choice !== 'auto') {
    const backend = forcedBackend(choice);
    const why = `the backend is set to ${choice}`;
    const jobs: JobEngine[] = (['train', 'evaluate'] as const).map((job) => ({ job, backend, why, whyKey: 'forced' }));
    const paint: JobEngine =
      readingChoice(choice) === choice
        ? { job: 'paint', backend, why, whyKey: 'forced' }
        : { job: 'paint', backend: 'wasm', why: 'one image at a time goes to wasm: WebGPU cannot read a result back at once outside a browser', whyKey: 'gpuSyncRead' };
    return [...jobs, paint];
  }
  const gpu = webgpu ? webgpuVerdict(webgpu) : { use: false, why: '' };
  const batches: JobEngine = gpu.use
    ? { job: 'train', backend: 'webgpu', why: `a GPU: ${gpu.why}`, whyKey: 'gpuHardware' }
    : tensorflow
      ? { job: 'train', backend: 'tensorflow', why: 'native TensorFlow is the fastest engine here for batches; it spreads each step over every core', whyKey: 'nativeFastest' }
      : { job: 'train', backend: 'wasm', why: `${NODE_PACKAGES.cpu} is not available; run \`${LINK_COMMAND}\` to add it`, whyKey: 'nativeMissing' };
  return [
    batches,
    { ...batches, job: 'evaluate' },
    tensorflow || gpu.use
      ? { job: 'paint', backend: 'wasm', why: `one image at a time, wasm answers sooner than ${gpu.use ? 'the GPU' : 'TensorFlow'}`, whyKey: 'wasmSooner' }
      : { job: 'paint', backend: 'wasm', why: 'wasm is the fastest engine here', whyKey: 'wasmFastest' },
  ];
}

function webgpuStatus(load: WebgpuLoad): EngineStatus {
  if (!load.ok) {
    return { backend: 'webgpu', available: false, detail: `${load.why}; \`${WEBGPU_INSTALL}\` adds it`, detailKey: 'gpuMissing', detailParams: { install: WEBGPU_INSTALL } };
  }
  const { adapter } = load;
  // the adapter's name goes to the renderer alone: its messages say whether it is hardware
  const params = { adapter: adapterName(adapter), vendor: adapter.vendor, architecture: adapter.architecture, device: adapter.device, description: adapter.description };
  return adapter.software
    ? { backend: 'webgpu', available: true, detail: `${adapterLine(adapter)}: runs on the CPU, used only when asked for`, detailKey: 'gpuSoftware', detailParams: params }
    : { backend: 'webgpu', available: true, detail: `${adapterLine(adapter)} through Dawn`, detailKey: 'gpuHardware', detailParams: params };
}

/** Probes are slow (Python imports Keras and its backend): each Python is asked once per process. */
const kerasProbes = new Map<string, Promise<EngineStatus>>();

/** The Keras engine on `python`: available with its versions, or why not. */
export function kerasStatus(python: string): Promise<EngineStatus> {
  let status = kerasProbes.get(python);
  if (!status) {
    status = probeKeras(python).then(
      (hello): EngineStatus => ({
        backend: 'keras',
        available: true,
        detail: `Keras ${hello.keras} on ${hello.backend} in ${python} (Python ${hello.python}): --backend keras trains with it`,
        detailKey: 'keras',
        detailParams: { keras: hello.keras, backend: hello.backend, python, pythonVersion: hello.python },
      }),
      (error: unknown): EngineStatus => {
        kerasProbes.delete(python);
        const reason = error instanceof Error ? error.message : String(error);
        // the renderer says it in the user's language from the error's code and parameters
        const coded = error instanceof LabError ? { code: error.code, ...Object.fromEntries(Object.entries(error.params).map(([k, v]) => [k, String(v)])) } : {};
        return { backend: 'keras', available: false, detail: reason, detailKey: 'kerasMissing', detailParams: { python, reason, ...coded } };
      },
    );
    kerasProbes.set(python, status);
  }
  return status;
}

export async function describeEngines(choice: BackendChoice, python = DEFAULT_PYTHON): Promise<EnginesReport> {
  const keras = kerasStatus(python);
  const native = await loadNodeBackend(false);
  const webgpu = await loadWebgpuBackend();
  const link = linkRecord();
  const tensorflow: EngineStatus = native.ok
    ? link
      ? {
          backend: 'tensorflow',
          available: true,
          detail: `${NODE_PACKAGES.cpu} on TensorFlow ${link.loaded}, linked to ${link.distribution} ${link.tensorflow} in ${link.dir}`,
          detailKey: 'linked',
          detailParams: { package: NODE_PACKAGES.cpu, loaded: link.loaded, distribution: link.distribution, version: link.tensorflow, dir: link.dir },
        }
      : { backend: 'tensorflow', available: true, detail: `${NODE_PACKAGES.cpu} is installed`, detailKey: 'installed', detailParams: { package: NODE_PACKAGES.cpu } }
    : {
        backend: 'tensorflow',
        available: false,
        detail: `${native.why}; \`${LINK_COMMAND} [--python PATH]\` builds it against a Python TensorFlow`,
        detailKey: 'missing',
        detailParams: { package: NODE_PACKAGES.cpu },
      };
  return {
    choice,
    engines: [
      tensorflow,
      webgpuStatus(webgpu),
      { backend: 'wasm', available: true, detail: `@tensorflow/tfjs-backend-wasm ${tf.version.tfjs}, ships with the lab`, detailKey: 'wasm', detailParams: { version: tf.version.tfjs } },
      { backend: 'cpu', available: true, detail: 'plain JavaScript, only when asked for', detailKey: 'cpu', detailParams: {} },
      await keras,
    ],
    jobs: jobEngines(choice, native.ok, webgpu),
    ...(link ? { link } : {}),
    linkCommand: LINK_COMMAND,
  };
}
