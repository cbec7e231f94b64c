// The one place that picks the TF.js backend for this process and says which and why.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { libtensorflowVersion, loadNodeBackend, NODE_PACKAGES } from './node-backend';
import { loadWasmBackend } from './wasm-backend';

import { BACKEND_CHOICES, type BackendChoice, type BackendName } from '../shared/backends';

export interface EngineInfo {
  backend: BackendName;
  gpu: boolean;
  /** tfjs version, and for tensorflow the libtensorflow version if known */
  version: string;
  /** a human sentence, e.g. "wasm: @tensorflow/tfjs-node is not installed (...)" */
  reason: string;
  threads: number;
}

export const BACKEND_ENV_VAR = 'DIGIT_LAB_BACKEND';

/** cpu runs kernels in plain JS on the calling thread. */
const CPU_THREADS = 1;

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

async function startTensorflow(gpu: boolean, reason: string): Promise<EngineInfo> {
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

async function startWasm(reason: string): Promise<EngineInfo> {
  let threads: number;
  try {
    threads = await loadWasmBackend(activate);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`Cannot use the wasm backend: ${detail}. Use --backend cpu to train in plain JavaScript.`);
  }
  return { backend: 'wasm', gpu: false, version: `tfjs ${tf.version.tfjs}`, reason, threads };
}

async function startCpu(reason: string): Promise<EngineInfo> {
  await activate('cpu');
  return { backend: 'cpu', gpu: false, version: `tfjs ${tf.version.tfjs}`, reason, threads: CPU_THREADS };
}

async function startAuto(): Promise<EngineInfo> {
  const loaded = await loadNodeBackend(false);
  if (!loaded.ok) return startWasm(`wasm: ${loaded.why}`);
  try {
    return await startTensorflow(false, `tensorflow: ${NODE_PACKAGES.cpu} is installed`);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return startWasm(`wasm: ${NODE_PACKAGES.cpu} loaded but did not start (${detail})`);
  }
}

async function start(choice: BackendChoice, forcedBy: string): Promise<EngineInfo> {
  const forced = `forced by ${forcedBy}`;
  switch (choice) {
    case 'auto':
    case 'keras': // Keras trains in its own process; the lab's jobs run on auto's engine
      return startAuto();
    case 'tensorflow':
      return startTensorflow(false, forced);
    case 'tensorflow-gpu':
      return startTensorflow(true, forced);
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
    pending = start(resolved, forcedBy);
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
