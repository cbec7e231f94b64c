// Makes the wasm backend able to train the lab's models, on its own kernels (XNNPACK):
//  - Conv2DBackpropFilter, which stock tfjs-backend-wasm 4.22 lacks;
//  - Conv2DBackpropInput, replacing a stock C++ loop ~8x slower than the forward conv;
//  - MaxPoolGrad, replacing a stock kernel that drops the gradient of windows <= 0;
//  - BatchMatMul, replacing a stock kernel that runs every transposed product (all MatMul
//    gradients) through a naive loop instead of XNNPACK;
//  - Sum over leading axes (bias gradients) without the stock kernel's transpose;
//  - Identity and same-dtype Cast without a copy (tfjs clones every tensor a gradient keeps).
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { batchMatMulConfig } from './wasm-batch-mat-mul';
import { conv2DBackpropFilterConfig } from './wasm-conv-filter-grad';
import { conv2DBackpropInputConfig } from './wasm-conv-input-grad';
import { maxPoolGradConfig } from './wasm-max-pool-grad';
import { WASM } from './wasm-ops';
import { castConfig, identityConfig } from './wasm-share';
import { sumConfig } from './wasm-sum';

const TRAINING_KERNELS = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  maxPoolGradConfig,
  batchMatMulConfig,
  sumConfig,
  identityConfig,
  castConfig,
];

/** Kernels added to, or replaced on, the wasm backend for training. */
export const WASM_TRAINING_KERNELS: readonly string[] = TRAINING_KERNELS.map((config) => config.kernelName);

function install(config: KernelConfig): void {
  const existing = getKernel(config.kernelName, WASM);
  if (existing?.kernelFunc === config.kernelFunc) return;
  if (existing !== undefined) unregisterKernel(config.kernelName, WASM);
  registerKernel(config);
}

/** Registers the kernels above on 'wasm'. Idempotent. */
export function registerWasmTrainingKernels(): void {
  for (const config of TRAINING_KERNELS) install(config);
}
