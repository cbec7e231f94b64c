// Keras's Orthogonal initializer (the default recurrent kernel) computed in plain JS.
// tfjs builds it from many small tensor ops and takes ~20 s for LSTM 128; this takes milliseconds.
import * as tf from '@tensorflow/tfjs';
import { normalFrom, seededUniform } from './random';

type InitializerClass = new (args: { gain?: number; seed?: number }) => ReturnType<typeof tf.initializers.orthogonal>;
const Orthogonal = tf.initializers.orthogonal({}).constructor as InitializerClass;

/**
 * tfjs's Orthogonal with a fast apply(); it keeps the class name and config, so a saved
 * model still says 'Orthogonal' and plain tfjs loads it.
 */
class FastOrthogonal extends Orthogonal {
  constructor(private readonly fastSeed: number) {
    super({ gain: 1, seed: fastSeed });
  }

  override apply(shape: number[]): tf.Tensor {
    const cols = shape[shape.length - 1];
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return tf.tensor(orthogonalMatrix(rows, cols, this.fastSeed), shape);
  }
}

export function fastOrthogonal(seed: number): ReturnType<typeof tf.initializers.orthogonal> {
  return new FastOrthogonal(seed);
}

/**
 * A rows×cols matrix (row-major) with orthonormal rows or columns, whichever there are fewer of:
 * the Q of a QR decomposition of a normal random matrix, signs fixed by R's diagonal, as Keras does.
 */
export function orthogonalMatrix(rows: number, cols: number, seed: number): Float32Array {
  const tall = rows >= cols;
  const n = tall ? rows : cols; // length of each vector
  const k = tall ? cols : rows; // number of orthonormal vectors
  const normal = normalFrom(seededUniform(seed));
  const vectors = new Float64Array(n * k);
  for (let i = 0; i < vectors.length; i++) vectors[i] = normal();
  // Modified Gram–Schmidt over the k vectors (vector j occupies vectors[j*n .. j*n+n)).
  for (let j = 0; j < k; j++) {
    const vj = vectors.subarray(j * n, (j + 1) * n);
    for (let i = 0; i < j; i++) {
      const vi = vectors.subarray(i * n, (i + 1) * n);
      let dot = 0;
      for (let t = 0; t < n; t++) dot += vi[t] * vj[t];
      for (let t = 0; t < n; t++) vj[t] -= dot * vi[t];
    }
    let norm = 0;
    for (let t = 0; t < n; t++) norm += vj[t] * vj[t];
    norm = Math.sqrt(norm) || 1;
    for (let t = 0; t < n; t++) vj[t] /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let j = 0; j < k; j++) {
    for (let t = 0; t < n; t++) {
      // tall: vector j is column j; wide: vector j is row j
      out[tall ? t * cols + j : j * cols + t] = vectors[j * n + t];
    }
  }
  return out;
}
