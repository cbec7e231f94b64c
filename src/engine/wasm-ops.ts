// Calls into the wasm backend's own registered kernels from inside another kernel.
// Everything here works on backend-level TensorInfos (no engine tracking), so each
// intermediate must be released with `release`.
import { getKernel, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export const WASM = 'wasm';

/** Pads of a 2-D window op: rows before/after, columns before/after. */
export interface Pads2D {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * The stock wasm kernel, taken when called (at module load, before anything replaces it):
 * `run` calls it; `replacedBy` makes a replacement's config that keeps the stock setup,
 * which binds the kernel's wasm function and runs only for registered kernels.
 */
export function stockKernel(kernelName: string) {
  const config = getKernel(kernelName, WASM);
  return {
    run(args: unknown): TensorInfo {
      if (config === undefined) throw new Error(`the stock wasm ${kernelName} kernel was not found`);
      return config.kernelFunc(args as never) as TensorInfo;
    },
    replacedBy(kernelFunc: (args: never) => TensorInfo): KernelConfig {
      return { kernelName, backendName: WASM, kernelFunc: kernelFunc as unknown as KernelFunc, setupFunc: config?.setupFunc };
    },
  };
}

export class WasmOps {
  constructor(readonly backend: BackendWasm) {}

  private run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
    const config = getKernel(kernelName, WASM);
    if (config === undefined) throw new Error(`the wasm backend has no '${kernelName}' kernel`);
    return config.kernelFunc({ inputs, backend: this.backend, attrs }) as TensorInfo;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run('Reverse', { x }, { dims });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  padWithZeros(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  /** NHWC average pooling through XNNPACK, no padding. */
  avgPool(x: TensorInfo, filterSize: [number, number], strides: [number, number] = [1, 1]): TensorInfo {
    return this.run('AvgPool', { x }, { filterSize, strides, pad: 'valid' } as unknown as NamedAttrMap);
  }

  /** NHWC convolution through XNNPACK, with explicit non-negative pads. */
  conv2d(x: TensorInfo, filter: TensorInfo, strides: [number, number], dilations: [number, number], pads: Pads2D): TensorInfo {
    const pad = [
      [0, 0],
      [pads.top, pads.bottom],
      [pads.left, pads.right],
      [0, 0],
    ];
    return this.run('Conv2D', { x, filter }, { strides, dilations, pad, dataFormat: 'NHWC' } as unknown as NamedAttrMap);
  }

  release(...infos: TensorInfo[]): void {
    for (const info of infos) this.backend.disposeData(info.dataId);
  }
}

/**
 * XNNPACK takes no negative pads: a negative pad means rows or columns of the input
 * that the window never reaches, so cut them off instead. Returns `x` itself (owned:
 * false) when nothing needs cutting.
 */
export function cropNegativePads(
  ops: WasmOps,
  x: TensorInfo,
  pads: Pads2D,
): { x: TensorInfo; pads: Pads2D; owned: boolean } {
  const cut = {
    top: Math.max(0, -pads.top),
    bottom: Math.max(0, -pads.bottom),
    left: Math.max(0, -pads.left),
    right: Math.max(0, -pads.right),
  };
  const kept = {
    top: Math.max(0, pads.top),
    bottom: Math.max(0, pads.bottom),
    left: Math.max(0, pads.left),
    right: Math.max(0, pads.right),
  };
  if (cut.top + cut.bottom + cut.left + cut.right === 0) return { x, pads: kept, owned: false };
  const [n, h, w, c] = x.shape;
  const size = [n, h - cut.top - cut.bottom, w - cut.left - cut.right, c];
  return { x: ops.slice(x, [0, cut.top, cut.left, 0], size), pads: kept, owned: true };
}
