// Conv2DBackpropFilter for wasm (stock tfjs-backend-wasm 4.22 has none), as one forward
// Conv2D through XNNPACK. With y[n,oy,ox,co] = sum x[n, oy*s + ky*d - padTop, ...] * f[ky,kx,ci,co],
//   dF[ky,kx,ci,co] = sum over n,oy,ox of x[n, oy*s + ky*d - padTop, ...] * dy[n,oy,ox,co],
// a convolution in which batch and channels trade places. Either operand can play the
// XNNPACK filter, which gets repacked on every call, so the smaller one should when that
// does not starve XNNPACK of output channels.
import { Conv2DBackpropFilter, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import type { backend_util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { forwardConvInfo, type FilterGradAttrs, type Shape4D } from './wasm-conv-geometry';
import { cropNegativePads, WASM, WasmOps, type Pads2D } from './wasm-ops';

const NHWC_TO_CHWN = [3, 1, 2, 0];
/** [N,H,W,C] -> [H,W,N,C]; also [Ci,kh,kw,Co] -> [kh,kw,Ci,Co]. */
const BATCH_TO_THIRD = [1, 2, 0, 3];
/** [Co,kh,kw,Ci] -> [kh,kw,Ci,Co] */
const CHANNELS_FIRST_TO_LAST = [1, 2, 3, 0];
const SPATIAL_AXES_OF_CHWN = [1, 2];
/** Below this many input channels x as the filter leaves XNNPACK's output tiles half empty. */
const MIN_CHANNELS_FOR_X_AS_FILTER = 8;
/** x plays the filter only when dy is this many times larger (measured: 16->36 gains ~20%). */
const MIN_CHANNEL_RATIO_FOR_X_AS_FILTER = 2;

type ConvInfo = backend_util.Conv2DInfo;

/**
 * x as [Ci,H,W,N] slides under dy as a [Ho,Wo,N,Co] filter, dilated by the forward stride
 * and stepping by the forward dilation: out [Ci,kh,kw,Co]. Works for any stride.
 */
export function withDyAsFilter(ops: WasmOps, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const { padInfo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  // Pad the far side so exactly kh x kw window positions fit (negative: x's tail is unread).
  const pads: Pads2D = {
    top: padInfo.top,
    left: padInfo.left,
    bottom: (info.filterHeight - 1) * dh + (info.outHeight - 1) * sh + 1 - info.inHeight - padInfo.top,
    right: (info.filterWidth - 1) * dw + (info.outWidth - 1) * sw + 1 - info.inWidth - padInfo.left,
  };
  const cropped = cropNegativePads(ops, x, pads);
  const xT = ops.transpose(cropped.x, NHWC_TO_CHWN);
  if (cropped.owned) ops.release(cropped.x);
  const dyT = ops.transpose(dy, BATCH_TO_THIRD);
  const grad = ops.conv2d(xT, dyT, [dh, dw], [sh, sw], cropped.pads);
  ops.release(xT, dyT);
  const out = ops.transpose(grad, BATCH_TO_THIRD);
  ops.release(grad);
  return out;
}

/**
 * Stride 1 only: dy as [Co,Ho,Wo,N] slides under x as an [H,W,N,Ci] filter, stepping by
 * the forward dilation. Output row r is filter row kh-1-r, so the result is flipped back.
 */
export function withXAsFilter(ops: WasmOps, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const { padInfo, dilationHeight: dh, dilationWidth: dw } = info;
  const reachH = (info.filterHeight - 1) * dh;
  const reachW = (info.filterWidth - 1) * dw;
  const dyT = ops.transpose(dy, NHWC_TO_CHWN);
  const pads = { top: reachH - padInfo.top, bottom: reachH - padInfo.bottom, left: reachW - padInfo.left, right: reachW - padInfo.right };
  const cropped = cropNegativePads(ops, dyT, pads);
  if (cropped.owned) ops.release(dyT);
  const xT = ops.transpose(x, BATCH_TO_THIRD);
  const flipped = ops.conv2d(cropped.x, xT, [dh, dw], [1, 1], cropped.pads);
  ops.release(cropped.x, xT);
  const grad = ops.reverse(flipped, SPATIAL_AXES_OF_CHWN);
  ops.release(flipped);
  const out = ops.transpose(grad, CHANNELS_FIRST_TO_LAST);
  ops.release(grad);
  return out;
}

function xIsTheBetterFilter(info: ConvInfo): boolean {
  return (
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.inChannels >= MIN_CHANNELS_FOR_X_AS_FILTER &&
    info.outChannels * info.outHeight * info.outWidth > MIN_CHANNEL_RATIO_FOR_X_AS_FILTER * info.inChannels * info.inHeight * info.inWidth
  );
}

function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: BackendWasm; attrs: FilterGradAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const info = forwardConvInfo(inputs.x.shape as Shape4D, attrs.filterShape, attrs, inputs.dy);
  const ops = new WasmOps(backend);
  return xIsTheBetterFilter(info) ? withXAsFilter(ops, inputs.x, inputs.dy, info) : withDyAsFilter(ops, inputs.x, inputs.dy, info);
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: WASM,
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
