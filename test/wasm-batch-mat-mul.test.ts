import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/engine/wasm-conv-grads';

/** max |wasm - cpu| must stay within this fraction of max(1, max |cpu|). */
const RELATIVE_TOLERANCE = 1e-5;
/** [a shape, b shape] before transposing; inner dims agree when neither side is transposed. */
const SHAPES: Array<[number[], number[]]> = [
  [[1, 1], [1, 1]],
  [[5, 3], [3, 7]],
  [[17, 33], [33, 9]],
  [[1, 4, 6], [1, 6, 2]],
  [[2, 4, 6], [2, 6, 2]],
  [[3, 5, 2], [2, 4]],
];

async function useBackend(name: string): Promise<void> {
  assert.ok(await tf.setBackend(name));
  await tf.ready();
}

function swapLastTwo(shape: number[]): number[] {
  const out = shape.slice();
  [out[out.length - 2], out[out.length - 1]] = [out[out.length - 1], out[out.length - 2]];
  return out;
}

function product(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], transposeA: boolean, transposeB: boolean): Float32Array {
  return tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), transposeA, transposeB).dataSync() as Float32Array);
}

test('wasm BatchMatMul matches cpu for every transpose combination', async () => {
  registerWasmTrainingKernels();
  for (const [aBase, bBase] of SHAPES)
    for (const transposeA of [false, true])
      for (const transposeB of [false, true]) {
        const aShape = transposeA ? swapLastTwo(aBase) : aBase;
        const bShape = transposeB ? swapLastTwo(bBase) : bBase;
        await useBackend('cpu');
        const a = tf.tidy(() => tf.randomNormal(aShape).dataSync() as Float32Array);
        const b = tf.tidy(() => tf.randomNormal(bShape).dataSync() as Float32Array);
        const expected = product(a, aShape, b, bShape, transposeA, transposeB);
        await useBackend('wasm');
        // Twice: the second call meets XNNPACK's operator cache.
        for (let round = 0; round < 2; round++) {
          const actual = product(a, aShape, b, bShape, transposeA, transposeB);
          const scale = Math.max(1, ...expected.map(Math.abs));
          const worst = Math.max(...expected.map((v, i) => Math.abs(v - actual[i])));
          assert.ok(worst <= RELATIVE_TOLERANCE * scale, `[${aShape}] x [${bShape}], transposes ${transposeA}/${transposeB}: ${worst}`);
        }
      }
});

test('the transposed wasm BatchMatMul frees its intermediates', async () => {
  registerWasmTrainingKernels();
  await useBackend('wasm');
  const a = tf.randomNormal([8, 5]);
  const b = tf.randomNormal([3, 5]);
  tf.dispose([tf.matMul(a, b, false, true), tf.matMul(a, a, true, false)]);
  const before = tf.backend().numDataIds();
  for (let i = 0; i < 3; i++) tf.dispose([tf.matMul(a, b, false, true), tf.matMul(a, a, true, false)]);
  assert.equal(tf.backend().numDataIds(), before);
  tf.dispose([a, b]);
});
