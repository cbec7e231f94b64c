// Identity, and Cast to the same dtype, for the wasm backend without a copy. The stock
// kernels copy the whole tensor, and tfjs clones (Identity) every tensor a gradient keeps
// for the backward pass: ~3% of a CNN training step. Tensor data is never written in place
// (a Variable's assign swaps its data), so sharing it by reference count is what the cpu
// backend does too.
import { Cast, Identity, type CastAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { stockKernel } from './wasm-ops';

const stockIdentity = stockKernel(Identity);
const stockCast = stockKernel(Cast);

type Args = { inputs: { x: TensorInfo }; backend: BackendWasm };

function share({ inputs: { x }, backend }: Args): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function identity(args: Args): TensorInfo {
  if (args.inputs.x.dtype === 'string') return stockIdentity.run(args);
  return share(args);
}

function cast(args: Args & { attrs: CastAttrs }): TensorInfo {
  if (args.inputs.x.dtype === args.attrs.dtype && args.attrs.dtype !== 'string') return share(args);
  return stockCast.run(args);
}

export const identityConfig: KernelConfig = stockIdentity.replacedBy(identity);
export const castConfig: KernelConfig = stockCast.replacedBy(cast);
