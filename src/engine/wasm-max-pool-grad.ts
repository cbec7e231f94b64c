// A correct MaxPoolGrad for the wasm backend. The stock one (tfjs-backend-wasm 4.22,
// MaxPoolGrad.cc) starts each window's running max at numeric_limits<float>::min(), the
// smallest *positive* float, so a window whose values are all <= 0 routes its gradient
// nowhere; it also gives ties to the last maximum where tfjs's cpu/webgl give the first.
// Any Conv2D without ReLU in front of a MaxPooling2D trains wrongly with it.
//
// The argmax with first-wins ties has no exact expression in wasm's other kernels, so this
// one runs in JS straight on the wasm heap, as wasm's own Slice kernel does.
import { backend_util, MaxPoolGrad, type KernelConfig, type KernelFunc, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WASM } from './wasm-ops';

type PoolInfo = backend_util.Conv2DInfo;

/** The common case (2x2 windows, stride 2, no padding): windows tile the input without overlap. */
function isTwoByTwoTiling(info: PoolInfo): boolean {
  return (
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight * 2 <= info.inHeight &&
    info.outWidth * 2 <= info.inWidth
  );
}

/**
 * The four cells of each window unrolled, channels innermost so that reads run in order,
 * and the argmax picked without branches (random maxima defeat branch prediction): the
 * first of each pair, then the first pair, on ties, as anyWindow's row-major scan with a
 * strict '>'. Where that scan differs (a maximum of -Infinity; a NaN first in a pair, which
 * the pair picks and the scan skips) the window goes to the scan.
 */
function twoByTwo(info: PoolInfo, x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const right = channels;
  const below = inWidth * channels;
  let dyAt = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const rowStart = (b * inHeight + oy * 2) * below;
      for (let ox = 0; ox < outWidth; ox++, dyAt += channels) {
        const topLeft = rowStart + ox * 2 * channels;
        for (let c = 0; c < channels; c++) {
          const at = topLeft + c;
          const top = +(x[at + right] > x[at]) * right;
          const bottom = below + +(x[at + below + right] > x[at + below]) * right;
          const lower = +(x[at + bottom] > x[at + top]);
          const pick = at + top + lower * (bottom - top);
          const lowerPair = x[at + bottom];
          if (!(x[pick] > -Infinity) || lowerPair !== lowerPair) {
            scanWindow(x, dy, dx, [at, at + right, at + below, at + below + right], dyAt + c);
          } else {
            dx[pick] = dy[dyAt + c];
          }
        }
      }
    }
  }
}

function scanWindow(x: Float32Array, dy: Float32Array, dx: Float32Array, cells: number[], dyAt: number): void {
  let best = -Infinity;
  let bestAt = -1;
  for (const at of cells) {
    if (x[at] > best) {
      best = x[at];
      bestAt = at;
    }
  }
  if (bestAt >= 0) dx[bestAt] = dy[dyAt];
}

/** Any window, stride and padding; overlapping windows add up. */
function anyWindow(info: PoolInfo, x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  let dyAt = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const top = oy * info.strideHeight - info.padInfo.top;
      const rowStart = Math.max(0, top);
      const rowEnd = Math.min(inHeight, top + info.effectiveFilterHeight);
      for (let ox = 0; ox < outWidth; ox++, dyAt += channels) {
        const left = ox * info.strideWidth - info.padInfo.left;
        const colStart = Math.max(0, left);
        const colEnd = Math.min(inWidth, left + info.effectiveFilterWidth);
        for (let c = 0; c < channels; c++) {
          let best = -Infinity;
          let bestAt = -1;
          // Row-major scan with a strict '>' keeps the first maximum, like tfjs's cpu backend.
          for (let row = rowStart; row < rowEnd; row++) {
            let at = ((b * inHeight + row) * inWidth + colStart) * channels + c;
            for (let col = colStart; col < colEnd; col++, at += channels) {
              if (x[at] > best) {
                best = x[at];
                bestAt = at;
              }
            }
          }
          if (bestAt >= 0) dx[bestAt] += dy[dyAt + c];
        }
      }
    }
  }
}

function maxPoolGrad(args: { inputs: { dy: TensorInfo; input: TensorInfo }; backend: BackendWasm; attrs: MaxPoolGradAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const out = backend.makeOutput(input.shape, 'float32');
  // Views only after the last allocation: growing the heap detaches older ones.
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const dyValues = backend.typedArrayFromHeap(dy) as Float32Array;
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  if (isTwoByTwoTiling(info)) twoByTwo(info, x, dyValues, dx);
  else anyWindow(info, x, dyValues, dx);
  return out;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: WASM,
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
