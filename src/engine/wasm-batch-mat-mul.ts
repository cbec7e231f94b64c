// BatchMatMul for the wasm backend that keeps transposed products on XNNPACK. The stock
// kernel (batch_mat_mul_impl.cc) uses XNNPACK only when neither side is transposed and
// falls back to a naive triple loop otherwise, and every MatMul gradient is transposed
// (dA = dy.B^T, dB = A^T.dy): Dense and recurrent layers backpropagated at a crawl.
// Transposing explicitly first, with wasm's Transpose, is far cheaper.
import { BatchMatMul, util, type BatchMatMulAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { stockKernel, WasmOps } from './wasm-ops';

type Args = { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm; attrs: BatchMatMulAttrs };

const stock = stockKernel(BatchMatMul);

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

function batchSize(x: TensorInfo): number {
  return util.sizeFromShape(x.shape.slice(0, -2));
}

function batchMatMul(args: Args): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const transposed = attrs.transposeA || attrs.transposeB;
  // Batched products take the stock loop either way; nothing to gain there.
  if (!transposed || batchSize(a) !== 1 || batchSize(b) !== 1) return stock.run(args);
  const ops = new WasmOps(backend);
  const left = attrs.transposeA ? ops.transpose(a, swapLastTwo(a.shape.length)) : a;
  const right = attrs.transposeB ? ops.transpose(b, swapLastTwo(b.shape.length)) : b;
  const out = stock.run({ inputs: { a: left, b: right }, backend, attrs: { transposeA: false, transposeB: false } });
  if (left !== a) ops.release(left);
  if (right !== b) ops.release(right);
  return out;
}

export const batchMatMulConfig: KernelConfig = stock.replacedBy(batchMatMul);
