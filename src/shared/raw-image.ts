// An image as it is read from a file or a canvas, before it becomes MNIST's 28×28 input.

export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  /** width*height*channels bytes, row-major (gray, gray+alpha, RGB or RGBA) */
  data: Uint8Array | Uint8ClampedArray;
}
