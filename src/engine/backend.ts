// The one place that picks the TF.js backend for this process and says which and why.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { libtensorflowVersion, loadNodeBackend, NODE_PACKAGES } from './node-backend';
import { loadWasmBackend } from './wasm-backend';
import { adapterLine, adapterName, autoGpuVerdict, loadWebgpuBackend, type GpuAdapter } from './webgpu-backend';

import { BACKEND_CHOICES, type BackendChoice, type BackendName } from '../shared/backends';
import type { EngineReport } from '../shared/training';

export interface EngineInfo {
  backend: BackendName;
  gpu: boolean;
  /** tfjs version, and for tensorflow the libtensorflow version if known */
  version: string;
  /** a human sentence, e.g. "wasm: @tensorflow/tfjs-node is not installed (...)" */
  reason: string;
  threads: number;
  /** the GPU adapter webgpu runs on */
  adapter?: GpuAdapter;
  /** named by the settings, --backend or the environment, not picked by auto */
  forced: boolean;
}

/** An engine as it starts; whether it was asked for is known to initEngine. */
type Started = Omit<EngineInfo, 'forced'>;

/** What a run or the Train view is told of the engine. */
export function engineReport(info: EngineInfo): EngineReport {
  return { backend: info.backend, version: info.version, reason: info.reason, forced: info.forced, ...(info.adapter ? { softwareAdapter: info.adapter.software } : {}) };
}

export const BACKEND_ENV_VAR = 'DIGIT_LAB_BACKEND';

/** cpu runs kernels in plain JS on the calling thread; webgpu drives the GPU from it. */
const CPU_THREADS = 1;
const WEBGPU_THREADS = 1;

export function isBackendChoice(value: string): value is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(value);
}

/** Parses a --backend value or the environment variable; throws on anything else. */
export function parseBackendChoice(value: string, source = '--backend '): BackendChoice {
  const choice = value.trim().toLowerCase();
  if (!isBackendChoice(choice)) {
    throw new Error(`${source}${value} is not a backend; use one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return choice;
}

function defaultChoice(): BackendChoice {
  const fromEnv = process.env[BACKEND_ENV_VAR];
  return fromEnv ? parseBackendChoice(fromEnv, `${BACKEND_ENV_VAR}=`) : 'auto';
}

let current: EngineInfo | undefined;

/** Switches tf to `name`; on failure switches back, since tf stays pointed at the dead one. */
async function activate(name: BackendName): Promise<void> {
  if (await tf.setBackend(name)) {
    await tf.ready();
    return;
  }
  if (current !== undefined) await tf.setBackend(current.backend);
  throw new Error(`TensorFlow.js could not start its '${name}' backend`);
}

async function startTensorflow(gpu: boolean, reason: string): Promise<Started> {
  const loaded = await loadNodeBackend(gpu);
  if (!loaded.ok) throw new Error(loaded.error);
  await activate('tensorflow');
  return {
    backend: 'tensorflow',
    gpu,
    version: `tfjs ${tf.version.tfjs}, libtensorflow ${libtensorflowVersion() ?? 'unknown'}`,
    reason,
    threads: availableParallelism(),
  };
}

async function startWasm(reason: string): Promise<Started> {
  let threads: number;
  try {
    threads = await loadWasmBackend(activate);
  } catch (cause) {
    throw new Error(`Cannot use the wasm backend: ${message(cause)}. Use --backend cpu to train in plain JavaScript.`);
  }
  return { backend: 'wasm', gpu: false, version: `tfjs ${tf.version.tfjs}`, reason, threads };
}

async function startCpu(reason: string): Promise<Started> {
  await activate('cpu');
  return { backend: 'cpu', gpu: false, version: `tfjs ${tf.version.tfjs}`, reason, threads: CPU_THREADS };
}

async function startWebgpu(reason: string): Promise<Started> {
  const loaded = await loadWebgpuBackend();
  if (!loaded.ok) throw new Error(loaded.error);
  try {
    await activate('webgpu');
  } catch (cause) {
    throw new Error(`Cannot use the WebGPU backend: it did not start on ${adapterLine(loaded.adapter)} (${message(cause)}). Use --backend wasm.`);
  }
  return {
    backend: 'webgpu',
    gpu: true,
    version: `tfjs ${tf.version.tfjs}, ${adapterName(loaded.adapter)}`,
    reason,
    threads: WEBGPU_THREADS,
    adapter: loaded.adapter,
  };
}

function message(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** A GPU adapter that is real hardware first, then tensorflow, then wasm; each says why. */
async function startAuto(): Promise<Started> {
  const gpu = await autoGpuVerdict();
  let notGpu = `not webgpu: ${gpu.why}`;
  if (gpu.use) {
    try {
      return await startWebgpu(`webgpu: ${gpu.why}`);
    } catch (cause) {
      notGpu = `webgpu did not start (${message(cause)})`;
    }
  }
  const loaded = await loadNodeBackend(false);
  if (!loaded.ok) return startWasm(`wasm: ${loaded.why}; ${notGpu}`);
  try {
    return await startTensorflow(false, `tensorflow: ${NODE_PACKAGES.cpu} is installed; ${notGpu}`);
  } catch (cause) {
    return startWasm(`wasm: ${NODE_PACKAGES.cpu} loaded but did not start (${message(cause)}); ${notGpu}`);
  }
}

async function start(choice: BackendChoice, forcedBy: string): Promise<Started> {
  const forced = `forced by ${forcedBy}`;
  switch (choice) {
    case 'auto':
    case 'keras': // Keras trains in its own process; the lab's jobs run on auto's engine
      return startAuto();
    case 'tensorflow':
      return startTensorflow(false, forced);
    case 'tensorflow-gpu':
      return startTensorflow(true, forced);
    case 'webgpu':
      return startWebgpu(forced);
    case 'wasm':
      return startWasm(forced);
    case 'cpu':
      return startCpu(forced);
  }
}

/** Keyed by choice and, for forced ones, where the choice came from (it is in the reason). */
const started = new Map<string, Promise<EngineInfo>>();

/**
 * Picks and starts the backend. The same choice twice gives the same info (and makes
 * that backend current again); a choice that fails leaves the current engine as it was.
 */
export async function initEngine(choice?: BackendChoice): Promise<EngineInfo> {
  const resolved = choice ?? defaultChoice();
  const forcedBy = choice !== undefined ? `--backend ${choice}` : `${BACKEND_ENV_VAR}=${resolved}`;
  const key = resolved === 'auto' || resolved === 'keras' ? 'auto' : forcedBy;
  let pending = started.get(key);
  if (pending === undefined) {
    // keras leaves the lab's own jobs to auto's engine: that one was not asked for
    pending = start(resolved, forcedBy).then((engine) => ({ ...engine, forced: key !== 'auto' }));
    started.set(key, pending);
    pending.catch(() => started.delete(key));
  }
  const info = await pending;
  if (tf.getBackend() !== info.backend) await activate(info.backend);
  current = info;
  return info;
}

export function engineInfo(): EngineInfo | undefined {
  return current;
}
