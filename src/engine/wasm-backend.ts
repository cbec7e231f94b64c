// Starts TF.js's WebAssembly backend (XNNPACK; in Node it runs single-threaded with SIMD)
// and adds the kernels it needs to train CNNs.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './wasm-conv-grads';

const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';

let pathsSet = false;

/**
 * The .wasm binaries sit next to the package's Node entry (dist/), which is where it
 * looks by default; say so explicitly so that bundling the JS elsewhere does not break it.
 */
function pointAtWasmBinaries(): void {
  if (pathsSet) return;
  pathsSet = true;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(WASM_PACKAGE);
  } catch {
    return; // keep the package's own default
  }
  setWasmPaths(`${dirname(entry)}/`);
}

/** Registers the training kernels, starts 'wasm' and returns XNNPACK's thread count. */
export async function loadWasmBackend(activate: (name: 'wasm') => Promise<void>): Promise<number> {
  pointAtWasmBinaries();
  registerWasmTrainingKernels();
  await activate('wasm');
  return getThreadsCount();
}
