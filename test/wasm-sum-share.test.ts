import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/backend';

/** |wasm - float64 sum| within this fraction of the sum of magnitudes (float32 accumulation) */
const RELATIVE_TOLERANCE = 1e-5;

function exactSums(values: Float32Array, columns: number): Float64Array {
  const sums = new Float64Array(columns);
  values.forEach((v, i) => (sums[i % columns] += v));
  return sums;
}

function magnitudes(values: Float32Array, columns: number): Float64Array {
  const sums = new Float64Array(columns);
  values.forEach((v, i) => (sums[i % columns] += Math.abs(v)));
  return sums;
}

test('wasm Sum over leading axes (bias gradients) matches a float64 sum; other reductions as before', async () => {
  await initEngine('wasm');
  const cases: Array<{ shape: number[]; axis: number[]; keepDims?: boolean }> = [
    { shape: [30, 28, 28, 16], axis: [0, 1, 2] },
    { shape: [7, 5, 3, 36], axis: [2, 0, 1] },
    { shape: [150, 128], axis: [0] },
    { shape: [4, 6, 5], axis: [0, 1], keepDims: true },
    { shape: [4, 6, 5], axis: [0] },
  ];
  for (const { shape, axis, keepDims } of cases) {
    const x = tf.randomNormal(shape, 1, 2, 'float32', 9);
    const columns = shape.slice(axis.length).reduce((a, b) => a * b, 1);
    const sum = tf.sum(x, axis, keepDims);
    const expectedShape = keepDims ? shape.map((d, i) => (i < axis.length ? 1 : d)) : shape.slice(axis.length);
    assert.deepEqual(sum.shape, expectedShape);
    const values = x.dataSync() as Float32Array;
    const want = exactSums(values, columns);
    const scale = magnitudes(values, columns);
    const got = sum.dataSync();
    want.forEach((w, c) => assert.ok(Math.abs(got[c] - w) <= RELATIVE_TOLERANCE * scale[c], `[${shape}] over [${axis}]: column ${c} ${got[c]} vs ${w}`));
    tf.dispose([x, sum]);
  }
  // not the leading axes, and integers: the stock kernel
  const m = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual(Array.from(tf.sum(m, 1).dataSync()), [6, 15]);
  assert.deepEqual(Array.from(tf.sum(m, [0, 1]).dataSync()), [21]);
  assert.deepEqual(Array.from(tf.sum(tf.tensor1d([1, 2, 3], 'int32')).dataSync()), [6]);
  assert.deepEqual(Array.from(tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0).dataSync()), [4, 6]);
});

test('wasm Identity and same-dtype Cast share data: values intact after either is disposed', async () => {
  await initEngine('wasm');
  const before = tf.memory().numDataBuffers;
  const x = tf.tensor1d([1, -2, 3.5]);
  const copy = tf.clone(x);
  const same = tf.cast(x, 'float32');
  assert.equal(tf.memory().numDataBuffers, before + 1, 'the clone and the cast hold no data of their own');
  x.dispose();
  assert.deepEqual(Array.from(copy.dataSync()), [1, -2, 3.5]);
  copy.dispose();
  assert.deepEqual(Array.from(same.dataSync()), [1, -2, 3.5]);
  const asInt = tf.cast(same, 'int32');
  assert.equal(asInt.dtype, 'int32');
  assert.deepEqual(Array.from(asInt.dataSync()), [1, -2, 3]);
  tf.dispose([same, asInt]);
  assert.equal(tf.memory().numDataBuffers, before);
});
