import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/engine/wasm-conv-grads';

type Padding = 'same' | 'valid';

const POOLS = [1, 2, 3];
const STRIDES = [1, 2, 3];
const PADDINGS: Padding[] = ['same', 'valid'];
const SIZES = [3, 4, 5, 7, 8, 11, 14];
/** Integer-valued inputs make ties common; ties must go to the first maximum, as on cpu. */
const TIE_SCALE = 2;

async function useBackend(name: string): Promise<void> {
  assert.ok(await tf.setBackend(name));
  await tf.ready();
}

function poolGrad(x: Float32Array, dy: Float32Array, shape: number[], pool: number, stride: number, padding: Padding): Float32Array {
  return tf.tidy(() => {
    const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, pool, stride, padding);
    const input = tf.tensor(x, shape);
    return tf.grad(f)(input, tf.tensor(dy, f(input).shape)).dataSync() as Float32Array;
  });
}

test('wasm MaxPoolGrad matches cpu, including all-negative windows and ties', async () => {
  registerWasmTrainingKernels();
  let i = 0;
  for (const pool of POOLS)
    for (const stride of STRIDES)
      for (const padding of PADDINGS) {
        const height = SIZES[i++ % SIZES.length];
        const width = SIZES[(i * 3) % SIZES.length];
        const shape: [number, number, number, number] = [1 + (i % 2), height, width, 1 + (i % 3)];
        if (padding === 'valid' && (height < pool || width < pool)) continue;
        await useBackend('cpu');
        const size = shape.reduce((a, b) => a * b, 1);
        const x = tf.tidy(() => tf.randomNormal([size]).mul(TIE_SCALE).round().sub(1).dataSync() as Float32Array);
        const outSize = tf.tidy(() => tf.maxPool(tf.zeros(shape) as tf.Tensor4D, pool, stride, padding).size);
        const dy = tf.tidy(() => tf.randomNormal([outSize]).dataSync() as Float32Array);
        const expected = poolGrad(x, dy, shape, pool, stride, padding);
        await useBackend('wasm');
        const actual = poolGrad(x, dy, shape, pool, stride, padding);
        const what = `x [${shape}], pool ${pool}, stride ${stride}, ${padding}`;
        expected.forEach((want, j) => assert.ok(Math.abs(actual[j] - want) <= 1e-6, `${what}: dx[${j}] ${actual[j]} vs ${want}`));
      }
});

test('a window of negatives passes its gradient to its maximum', async () => {
  registerWasmTrainingKernels();
  await useBackend('wasm');
  const x = tf.tensor4d([-3, -1, -2, -4], [1, 2, 2, 1]);
  const dx = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'))(x, tf.tensor4d([5], [1, 1, 1, 1]));
  assert.deepEqual(Array.from(dx.dataSync()), [0, 5, 0, 0]);
  tf.dispose([x, dx]);
});

test('2x2 stride-2 windows (the fast path) match cpu: odd sizes, ties, NaN and -Infinity windows', async () => {
  registerWasmTrainingKernels();
  const shape: [number, number, number, number] = [2, 7, 6, 3];
  const size = shape.reduce((a, b) => a * b, 1);
  await useBackend('cpu');
  const x = tf.tidy(() => tf.randomNormal([size], 0, 1, 'float32', 3).mul(TIE_SCALE).round().dataSync() as Float32Array);
  // One window all -Infinity; one with NaN first in its lower pair; one with NaN first overall.
  const at = (b: number, row: number, col: number, c: number) => ((b * shape[1] + row) * shape[2] + col) * shape[3] + c;
  for (const [row, col] of [[0, 0], [0, 1], [1, 0], [1, 1]]) x[at(0, row, col, 0)] = -Infinity;
  x[at(0, 3, 2, 1)] = NaN;
  x[at(1, 4, 4, 2)] = NaN;
  const outSize = tf.tidy(() => tf.maxPool(tf.zeros(shape) as tf.Tensor4D, 2, 2, 'valid').size);
  const dy = tf.tidy(() => tf.randomNormal([outSize], 0, 1, 'float32', 4).dataSync() as Float32Array);
  const expected = poolGrad(x, dy, shape, 2, 2, 'valid');
  await useBackend('wasm');
  const actual = poolGrad(x, dy, shape, 2, 2, 'valid');
  expected.forEach((want, j) => assert.ok(Object.is(actual[j], want) || Math.abs(actual[j] - want) <= 1e-6, `dx[${j}] ${actual[j]} vs ${want}`));
});
