// Identity, and Cast to the same dtype, for the wasm backend without a copy. The stock
// kernels copy the whole tensor, and tfjs clones (Identity) every tensor a gradient keeps
// for the backward pass: ~3% of a CNN training step. Tensor data is never written in place
// (a Variable's assign swaps its data), so sharing it by reference count is what the cpu
// backend does too.
import { Cast, getKernel, Identity, type CastAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WASM } from './wasm-ops';

// Taken when this module loads, which is before anything here can replace them.
const stockIdentity = getKernel(Identity, WASM)?.kernelFunc;
const stockCast = getKernel(Cast, WASM)?.kernelFunc;

type Args = { inputs: { x: TensorInfo }; backend: BackendWasm };

function share({ inputs: { x }, backend }: Args): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function identity(args: Args): TensorInfo {
  if (args.inputs.x.dtype === 'string') return stockIdentity?.(args as never) as TensorInfo;
  return share(args);
}

function cast(args: Args & { attrs: CastAttrs }): TensorInfo {
  if (args.inputs.x.dtype === args.attrs.dtype && args.attrs.dtype !== 'string') return share(args);
  if (stockCast === undefined) throw new Error('the stock wasm Cast kernel was not found');
  return stockCast(args as never) as TensorInfo;
}

export const identityConfig: KernelConfig = { kernelName: Identity, backendName: WASM, kernelFunc: identity as unknown as KernelFunc };
export const castConfig: KernelConfig = { kernelName: Cast, backendName: WASM, kernelFunc: cast as unknown as KernelFunc };
