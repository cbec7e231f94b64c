// Conv2DBackpropInput for wasm through XNNPACK's forward Conv2D; the stock kernel is a
// plain C++ loop about 8x slower than the forward conv of the same size. dx is a
// convolution of dy, zero-stuffed by the forward stride, with the filter rotated 180
// degrees and its in/out channels swapped, dilated by the forward dilation.
import { Conv2DBackpropInput, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { forwardConvInfo, type InputGradAttrs, type Shape4D } from './wasm-conv-geometry';
import { cropNegativePads, WASM, WasmOps, type Pads2D } from './wasm-ops';

const SWAP_FILTER_CHANNELS = [0, 1, 3, 2];
const FILTER_SPATIAL_AXES = [0, 1];

/** Inserts stride-1 zeros after every row and column of dy: [N,Ho,Wo,C] -> [N,Ho*sh,Wo*sw,C]. */
function zeroStuff(ops: WasmOps, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, ho, wo, c] = dy.shape;
  const spread = ops.reshape(dy, [n, ho, 1, wo, 1, c]);
  const padded = ops.padWithZeros(spread, [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  ops.release(spread);
  const out = ops.reshape(padded, [n, ho * sh, wo * sw, c]);
  ops.release(padded);
  return out;
}

function conv2DBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: InputGradAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const info = forwardConvInfo(attrs.inputShape, filter.shape as Shape4D, attrs, dy);
  const ops = new WasmOps(backend);
  const { padInfo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const stuffed = sh > 1 || sw > 1 ? zeroStuff(ops, dy, sh, sw) : dy;
  // zeroStuff leaves stride-1 trailing zero rows/columns; they count as bottom/right pad.
  const pads: Pads2D = {
    top: info.effectiveFilterHeight - 1 - padInfo.top,
    left: info.effectiveFilterWidth - 1 - padInfo.left,
    bottom: info.inHeight + padInfo.top - info.outHeight * sh,
    right: info.inWidth + padInfo.left - info.outWidth * sw,
  };
  const cropped = cropNegativePads(ops, stuffed, pads);
  if (cropped.owned && stuffed !== dy) ops.release(stuffed);
  const flipped = ops.reverse(filter, FILTER_SPATIAL_AXES);
  const rotated = ops.transpose(flipped, SWAP_FILTER_CHANNELS);
  ops.release(flipped);
  const out = ops.conv2d(cropped.x, rotated, [1, 1], [dh, dw], cropped.pads);
  ops.release(rotated);
  if (cropped.x !== dy) ops.release(cropped.x);
  return out;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: WASM,
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
