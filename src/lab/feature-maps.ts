// What predict reads, and on request what the first convolution sees: the first Conv2D layer's
// output (after its activation) for the same input, from the same forward pass of the cached model.
import * as tf from '@tensorflow/tfjs';
import type { FeatureMaps } from '../shared/contract';

export interface Reading {
  probabilities: number[];
  /** only when asked for; null for a model without a Conv2D layer */
  featureMaps?: FeatureMaps | null;
}

/** The model's first Conv2D layer (top level, in order), if it has one. */
export function firstConv2D(model: tf.LayersModel): tf.layers.Layer | undefined {
  return model.layers.find((layer) => layer.getClassName() === 'Conv2D');
}

function channelsFirst(layer: tf.layers.Layer): boolean {
  return (layer.getConfig() as { dataFormat?: string }).dataFormat === 'channelsFirst';
}

/** One image through the model; with `withMaps`, the first Conv2D's output too, map after map. */
export function read(model: tf.LayersModel, inputShape: number[], input: number[], withMaps: boolean): Reading {
  const conv = withMaps ? firstConv2D(model) : undefined;
  let reading: Reading = { probabilities: [] };
  tf.tidy(() => {
    const x = tf.tensor(input, [1, ...inputShape]);
    if (!conv) {
      const probabilities = Array.from((model.predict(x) as tf.Tensor).dataSync());
      reading = withMaps ? { probabilities, featureMaps: null } : { probabilities };
      return;
    }
    const convOutput = conv.output as tf.SymbolicTensor;
    const [maps, output] = model.execute(x, [convOutput.name, model.outputs[0].name]) as tf.Tensor[];
    // [1, H, W, C] -> [C, H, W]: each filter's map contiguous
    const planes = channelsFirst(conv) ? maps.squeeze([0]) : maps.squeeze([0]).transpose([2, 0, 1]);
    const [channels, height, width] = planes.shape;
    const values = planes.dataSync() as Float32Array;
    reading = {
      probabilities: Array.from(output.dataSync()),
      featureMaps: {
        layer: conv.name,
        channels,
        height,
        width,
        values: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64'),
      },
    };
  });
  return reading;
}
