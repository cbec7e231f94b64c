// A model whose weights or outputs are not finite gives no answer worth printing (digit -1 at
// NaN%): such a model is refused when it loads, naming the first bad tensor.
import * as tf from '@tensorflow/tfjs';

const FLOAT16_EXPONENT = 0x7c00;

/** The first stored weight value that is NaN or ±Infinity (float32, or float16-quantized), by tensor name. */
export function nonFiniteWeight(weightSpecs: tf.io.WeightsManifestEntry[], weightData: Uint8Array): string | undefined {
  const view = new DataView(weightData.buffer, weightData.byteOffset, weightData.byteLength);
  let offset = 0;
  for (const spec of weightSpecs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const quantized = spec.quantization?.dtype;
    const bytes = quantized === 'float16' ? 2 : quantized ? { uint8: 1, uint16: 2 }[quantized] : spec.dtype === 'bool' ? 1 : 4;
    for (let i = 0; i < count; i++) {
      const at = offset + i * bytes;
      const bad =
        quantized === 'float16' ? (view.getUint16(at, true) & FLOAT16_EXPONENT) === FLOAT16_EXPONENT : !quantized && spec.dtype === 'float32' && !Number.isFinite(view.getFloat32(at, true));
      if (bad) return `weight ${spec.name} holds a value that is not finite (${quantized === 'float16' ? 'NaN or ±Infinity' : view.getFloat32(at, true)}) at index ${i}`;
    }
    offset += count * bytes;
  }
  return undefined;
}

/** Whether every value of a tensor is finite; read with data(), which webgpu can do outside a browser. */
async function finite(tensor: tf.Tensor): Promise<boolean> {
  const all = tf.tidy(() => tf.all(tf.isFinite(tensor)));
  try {
    return (await all.data())[0] === 1;
  } finally {
    all.dispose();
  }
}

/**
 * Runs a blank and a mid-gray image through the model: finite weights can still overflow (a
 * random weights.bin holds values near 3e38). Names the first layer whose output is not finite.
 */
export async function nonFiniteOutput(model: tf.LayersModel, inputShape: number[]): Promise<string | undefined> {
  const probe = tf.tidy(() => tf.concat([tf.zeros([1, ...inputShape]), tf.fill([1, ...inputShape], 0.5)]));
  const outputs: tf.Tensor[] = [];
  try {
    outputs.push(model.predict(probe) as tf.Tensor);
    if (await finite(outputs[0])) return undefined;
    // Layer by layer where the model is a chain, to name where it breaks.
    if (model instanceof tf.Sequential) {
      let x: tf.Tensor = probe;
      for (const layer of model.layers) {
        const input = x;
        x = tf.tidy(() => layer.apply(input) as tf.Tensor);
        outputs.push(x);
        if (!(await finite(x))) return `the output of layer ${layer.name} is not finite (NaN or ±Infinity) for a blank image: its weights overflow`;
      }
    }
    return `its output ${model.outputs[0].name} is not finite (NaN or ±Infinity) for a blank image: its weights overflow`;
  } finally {
    tf.dispose([probe, ...outputs]);
  }
}
