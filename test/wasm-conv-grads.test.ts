import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/engine/wasm-conv-grads';

type Shape4D = [number, number, number, number];
type Padding = 'same' | 'valid';

interface Case {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: Padding;
  dilation: number;
}

/** max |wasm - cpu| must stay within this fraction of max(1, max |cpu|). */
const RELATIVE_TOLERANCE = 1e-4;
const BATCHES = [1, 3];
const SIZES = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const CHANNELS = [1, 2, 3, 4];
const KERNELS = [1, 2, 3, 5];
const STRIDES = [1, 2, 3];
const PADDINGS: Padding[] = ['same', 'valid'];
const DILATIONS = [1, 2];
const CASES_PER_COMBINATION = 3;
/** Few inputs to many outputs at stride 1: the filter gradient then packs x, not dy. */
const WIDE_CHANNELS: Array<[number, number]> = [
  [8, 20],
  [9, 19],
];

/**
 * Every kernel x stride x padding x dilation combination (tfjs allows dilation > 1 only
 * with stride 1), each with a few shapes that walk through the batch, size and channel lists.
 */
function grid(): Case[] {
  const cases: Case[] = [];
  let i = 0;
  for (const kernel of KERNELS)
    for (const stride of STRIDES)
      for (const padding of PADDINGS)
        for (const dilation of DILATIONS) {
          if (dilation > 1 && stride > 1) continue;
          for (let j = 0; j < CASES_PER_COMBINATION; j++, i++) {
            const height = SIZES[i % SIZES.length];
            const width = SIZES[(i * 3 + 5) % SIZES.length];
            const reach = (kernel - 1) * dilation + 1;
            if (padding === 'valid' && (height < reach || width < reach)) continue;
            cases.push({
              batch: BATCHES[i % BATCHES.length],
              height,
              width,
              inChannels: CHANNELS[i % CHANNELS.length],
              outChannels: CHANNELS[(i + 1 + Math.floor(i / CHANNELS.length)) % CHANNELS.length],
              kernel,
              stride,
              padding,
              dilation,
            });
          }
        }
  for (const kernel of KERNELS)
    for (const padding of PADDINGS)
      for (const dilation of DILATIONS)
        for (const [inChannels, outChannels] of WIDE_CHANNELS) {
          const size = SIZES[i++ % SIZES.length];
          if (padding === 'valid' && size < (kernel - 1) * dilation + 1) continue;
          cases.push({ batch: 2, height: size, width: SIZES[(i * 7) % SIZES.length], inChannels, outChannels, kernel, stride: 1, padding, dilation });
        }
  return cases;
}

async function useBackend(name: string): Promise<void> {
  assert.ok(await tf.setBackend(name), `backend ${name} starts`);
  await tf.ready();
}

function describe(c: Case): string {
  return (
    `x [${c.batch},${c.height},${c.width},${c.inChannels}] k${c.kernel} -> ${c.outChannels}, ` +
    `stride ${c.stride}, ${c.padding}, dilation ${c.dilation}`
  );
}

/** Spreads a [k,k,ci,co] filter over [(k-1)d+1, (k-1)d+1, ci, co] with zeros between taps. */
function dilateFilter(values: Float32Array, c: Case): { values: Float32Array; shape: Shape4D } {
  const reach = (c.kernel - 1) * c.dilation + 1;
  const depth = c.inChannels * c.outChannels;
  const out = new Float32Array(reach * reach * depth);
  for (let ky = 0; ky < c.kernel; ky++)
    for (let kx = 0; kx < c.kernel; kx++) {
      const from = (ky * c.kernel + kx) * depth;
      const to = (ky * c.dilation * reach + kx * c.dilation) * depth;
      out.set(values.subarray(from, from + depth), to);
    }
  return { values: out, shape: [reach, reach, c.inChannels, c.outChannels] };
}

/** The inverse: keeps only the taps of a dilated filter gradient. */
function undilateFilter(values: Float32Array, c: Case): Float32Array {
  const reach = (c.kernel - 1) * c.dilation + 1;
  const depth = c.inChannels * c.outChannels;
  const out = new Float32Array(c.kernel * c.kernel * depth);
  for (let ky = 0; ky < c.kernel; ky++)
    for (let kx = 0; kx < c.kernel; kx++) {
      const from = (ky * c.dilation * reach + kx * c.dilation) * depth;
      out.set(values.subarray(from, from + depth), (ky * c.kernel + kx) * depth);
    }
  return out;
}

interface Grads {
  dx: Float32Array;
  dFilter: Float32Array;
}

/** On cpu, a dilated conv is an undilated one with a zero-spread filter. */
function cpuGrads(x: Float32Array, filter: Float32Array, dy: Float32Array, c: Case): Grads {
  const xShape: Shape4D = [c.batch, c.height, c.width, c.inChannels];
  const spread = dilateFilter(filter, c);
  return tf.tidy(() => {
    const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.padding);
    const outShape = conv(tf.zeros(xShape), tf.zeros(spread.shape)).shape;
    const [dx, dFilter] = tf.grads(conv)([tf.tensor(x, xShape), tf.tensor(spread.values, spread.shape)], tf.tensor(dy, outShape));
    return { dx: dx.dataSync() as Float32Array, dFilter: undilateFilter(dFilter.dataSync() as Float32Array, c) };
  });
}

/**
 * With dilation 1 this runs tfjs's own Conv2D gradient (which reaches the new kernels);
 * tfjs refuses dilated gradients, so those call the kernels directly with a dilations attr.
 */
function wasmGrads(x: Float32Array, filter: Float32Array, dy: Float32Array, c: Case): Grads {
  const xShape: Shape4D = [c.batch, c.height, c.width, c.inChannels];
  const filterShape: Shape4D = [c.kernel, c.kernel, c.inChannels, c.outChannels];
  return tf.tidy(() => {
    const conv = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.padding, 'NHWC', c.dilation);
    const xT = tf.tensor(x, xShape);
    const filterT = tf.tensor(filter, filterShape);
    const dyT = tf.tensor(dy, conv(xT, filterT).shape);
    if (c.dilation === 1) {
      const [dx, dFilter] = tf.grads(conv)([xT, filterT], dyT);
      return { dx: dx.dataSync() as Float32Array, dFilter: dFilter.dataSync() as Float32Array };
    }
    const attrs = { strides: c.stride, pad: c.padding, dataFormat: 'NHWC', dilations: c.dilation };
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy: dyT, filter: filterT }, { ...attrs, inputShape: xShape });
    const dFilter = tf.engine().runKernel('Conv2DBackpropFilter', { x: xT, dy: dyT }, { ...attrs, filterShape });
    return { dx: (dx as tf.Tensor).dataSync() as Float32Array, dFilter: (dFilter as tf.Tensor).dataSync() as Float32Array };
  });
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: size`);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  assert.ok(worst <= RELATIVE_TOLERANCE * scale, `${what}: max diff ${worst} > ${RELATIVE_TOLERANCE} x ${scale}`);
}

function randomValues(size: number): Float32Array {
  return tf.tidy(() => tf.randomNormal([size]).dataSync() as Float32Array);
}

test('registering the wasm training kernels is idempotent and replaces the stock input gradient', async () => {
  await useBackend('wasm');
  const kernel = (name: string): tf.KernelFunc | undefined => tf.getKernel(name, 'wasm')?.kernelFunc;
  const stock = kernel('Conv2DBackpropInput');
  assert.equal(kernel('Conv2DBackpropFilter'), undefined, 'stock wasm has no filter gradient');
  registerWasmTrainingKernels();
  const ours = kernel('Conv2DBackpropInput');
  const filterGrad = kernel('Conv2DBackpropFilter');
  registerWasmTrainingKernels();
  assert.ok(stock !== undefined && ours !== undefined && filterGrad !== undefined);
  assert.notEqual(ours, stock, 'the stock Conv2DBackpropInput is replaced');
  assert.equal(kernel('Conv2DBackpropInput'), ours);
  assert.equal(kernel('Conv2DBackpropFilter'), filterGrad);
});

test('wasm Conv2D gradients match the cpu backend over a grid of shapes', async () => {
  registerWasmTrainingKernels();
  const cases = grid();
  assert.ok(cases.length >= 60, `grid has ${cases.length} cases`);
  for (const c of cases) {
    const x = randomValues(c.batch * c.height * c.width * c.inChannels);
    const filter = randomValues(c.kernel * c.kernel * c.inChannels * c.outChannels);
    await useBackend('cpu');
    const outSize = tf.tidy(() =>
      tf.conv2d(tf.zeros([c.batch, c.height, c.width, c.inChannels]) as tf.Tensor4D, tf.zeros(dilateFilter(filter, c).shape) as tf.Tensor4D, c.stride, c.padding).size,
    );
    const dy = randomValues(outSize);
    const expected = cpuGrads(x, filter, dy, c);
    await useBackend('wasm');
    const actual = wasmGrads(x, filter, dy, c);
    assertClose(actual.dx, expected.dx, `dx for ${describe(c)}`);
    assertClose(actual.dFilter, expected.dFilter, `dFilter for ${describe(c)}`);
  }
});

test('the wasm Conv2D gradients free every intermediate', async () => {
  registerWasmTrainingKernels();
  await useBackend('wasm');
  const backend = tf.backend();
  const x = tf.randomNormal([2, 9, 8, 3]) as tf.Tensor4D;
  const filter = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'));
  tf.dispose(grads([x, filter]));
  const before = backend.numDataIds();
  for (let i = 0; i < 3; i++) tf.dispose(grads([x, filter]));
  assert.equal(backend.numDataIds(), before);
  tf.dispose([x, filter]);
});
