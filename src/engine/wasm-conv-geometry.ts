// Shared by the wasm Conv2D gradient kernels: their attrs and the forward conv's geometry.
import { backend_util, type Conv2DBackpropFilterAttrs, type Conv2DBackpropInputAttrs, type TensorInfo } from '@tensorflow/tfjs';

export type Pair = [number, number];
export type Shape4D = [number, number, number, number];

/**
 * The stock attrs plus an optional dilation. tfjs's own Conv2D gradient rejects dilations
 * > 1 and never passes one; the kernels accept it so that case is covered and testable.
 */
type Dilated<T> = T & { dilations?: number | Pair };
export type FilterGradAttrs = Dilated<Conv2DBackpropFilterAttrs>;
export type InputGradAttrs = Dilated<Conv2DBackpropInputAttrs>;
type ConvGradAttrs = Omit<FilterGradAttrs, 'filterShape'>;

/** The forward convolution's geometry, checked against the incoming dy. */
export function forwardConvInfo(inputShape: Shape4D, filterShape: Shape4D, attrs: ConvGradAttrs, dy: TensorInfo): backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error("wasm Conv2D gradients support only dataFormat 'NHWC'");
  }
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const expected = info.outShape.join(',');
  if (dy.shape.join(',') !== expected) {
    throw new Error(`Conv2D gradient: dy has shape [${dy.shape}], expected [${expected}]`);
  }
  return info;
}
