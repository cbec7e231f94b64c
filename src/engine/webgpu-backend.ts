// Loads the optional WebGPU engine: Dawn's Node bindings (npm `webgpu`, a prebuilt dawn.node)
// give Node a `navigator.gpu`, and @tensorflow/tfjs-backend-webgpu registers 'webgpu' on it.
// Either package may be absent, and a machine may have no adapter at all.
import { existsSync, readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';

export const WEBGPU_PACKAGES = { dawn: 'webgpu', backend: '@tensorflow/tfjs-backend-webgpu' } as const;

export const WEBGPU_INSTALL = `npm install ${WEBGPU_PACKAGES.dawn} ${WEBGPU_PACKAGES.backend}@${tf.version.tfjs}`;

/** What Dawn says of the adapter it picked (GPUAdapterInfo), and whether it is a software one. */
export interface GpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** a CPU rasteriser posing as a GPU (llvmpipe/lavapipe, SwiftShader, WARP): slower than wasm */
  software: boolean;
}

export type WebgpuLoad =
  | { ok: true; adapter: GpuAdapter }
  /** why: a short clause for a reason line; error: the full message with a hint */
  | { ok: false; why: string; error: string };

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|softpipe|basic render driver|warp/i;

/** Software adapters: Dawn's own flag, Mesa's "software" architecture, or a known name. */
export function isSoftwareAdapter(info: AdapterInfoLike): boolean {
  if (info.isFallbackAdapter === true || info.architecture === 'software') return true;
  return SOFTWARE_NAMES.test([info.vendor, info.device, info.description].filter(Boolean).join(' '));
}

/** One line: the description (or vendor and device when the driver gives none) and what kind it is. */
export function adapterLine(adapter: GpuAdapter): string {
  return `${adapterName(adapter)} (${adapterKind(adapter.software)})`;
}

export function adapterKind(software: boolean): string {
  return software ? 'software adapter' : 'hardware adapter';
}

/** The adapter's name as its driver gives it (the description, or vendor and device). */
export function adapterName(adapter: GpuAdapter): string {
  return adapter.description || [adapter.vendor, adapter.device].filter(Boolean).join(' ') || 'an unnamed adapter';
}

function firstLine(cause: unknown): string {
  return (cause instanceof Error ? cause.message : String(cause)).split('\n')[0];
}

function failure(why: string, hint: string): WebgpuLoad {
  return { ok: false, why, error: `Cannot use the WebGPU backend: ${why}. ${hint}, or use --backend wasm.` };
}

const MODULE_NOT_FOUND_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

function importFailure(pkg: string, cause: unknown): WebgpuLoad {
  const code = (cause as { code?: unknown } | null)?.code;
  const missing = typeof code === 'string' && MODULE_NOT_FOUND_CODES.has(code) && firstLine(cause).includes(`'${pkg}'`);
  return failure(missing ? `${pkg} is not installed` : `${pkg} failed to load (${firstLine(cause)})`, `Install it with \`${WEBGPU_INSTALL}\``);
}

interface DawnModule {
  create(flags: string[]): { requestAdapter(options?: { powerPreference?: string }): Promise<{ info: AdapterInfoLike } | null> };
  globals: Record<string, unknown>;
}

async function load(): Promise<WebgpuLoad> {
  let dawn: DawnModule;
  try {
    // String variables keep TypeScript and bundlers from requiring the absent modules.
    dawn = (await import(/* @vite-ignore */ WEBGPU_PACKAGES.dawn)) as DawnModule;
  } catch (cause) {
    return importFailure(WEBGPU_PACKAGES.dawn, cause);
  }
  let gpu: ReturnType<DawnModule['create']>;
  let info: AdapterInfoLike;
  try {
    gpu = dawn.create([]);
    // the same preference the tfjs backend asks for, so that this is the adapter it gets
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter === null) {
      return failure('Dawn found no GPU adapter', 'It needs a Vulkan, Metal or Direct3D 12 driver (on Linux without a GPU, Mesa\'s lavapipe: mesa-vulkan-drivers 24 or later)');
    }
    info = adapter.info;
  } catch (cause) {
    return failure(`Dawn could not start (${firstLine(cause)})`, 'Check the GPU driver');
  }
  // GPUBufferUsage and the other WebGPU constants, which the backend reads as globals
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  // Node 21+ has a navigator without gpu; Node 20 has none. The backend registers itself only
  // if navigator.gpu exists when it is imported.
  const scope = globalThis as { navigator?: object };
  if (scope.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  try {
    await import(/* @vite-ignore */ WEBGPU_PACKAGES.backend);
  } catch (cause) {
    return importFailure(WEBGPU_PACKAGES.backend, cause);
  }
  const adapter: GpuAdapter = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    software: isSoftwareAdapter(info),
  };
  return { ok: true, adapter };
}

let attempt: Promise<WebgpuLoad> | undefined;

/** Imports Dawn and the tfjs webgpu backend and reads the adapter, once. Never throws. */
export function loadWebgpuBackend(): Promise<WebgpuLoad> {
  attempt ??= load();
  return attempt;
}

/**
 * Whether `auto` trains on webgpu, and the clause that says why or why not: only on a hardware
 * adapter, since a software one runs its shaders on the CPU, slower than wasm or tensorflow.
 */
export function webgpuVerdict(load: WebgpuLoad): { use: boolean; why: string } {
  if (!load.ok) return { use: false, why: load.why };
  const line = adapterLine(load.adapter);
  return load.adapter.software ? { use: false, why: `${line} runs on the CPU, slower than the CPU engines` } : { use: true, why: line };
}

/** Why `auto` did not look for a GPU adapter on a Linux machine that shows no GPU device. */
export const NO_GPU_DEVICE = 'this machine has no GPU device (no render node in /dev/dri)';

/**
 * Whether a hardware adapter can exist here. Linux shows a GPU as a render node in /dev/dri
 * (or NVIDIA's /dev/nvidia0); without one Dawn can only find a software adapter, which `auto`
 * would not use, so `auto` does not load Dawn at all (it prints warnings as it starts).
 */
export function mayHaveGpu(): boolean {
  if (process.platform !== 'linux') return true;
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * What `auto` makes of the GPU here: webgpuVerdict on the adapter Dawn finds, without loading
 * Dawn where no hardware adapter can exist.
 */
export async function autoGpuVerdict(): Promise<{ use: boolean; why: string }> {
  return mayHaveGpu() ? webgpuVerdict(await loadWebgpuBackend()) : { use: false, why: NO_GPU_DEVICE };
}
