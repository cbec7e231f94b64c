// Keras layers as a TensorFlow.js Sequential topology (Keras 2's JSON, which TF.js reads),
// keeping only what a layer does at inference. Layers that do nothing at inference are
// skipped, and anything else the lab cannot run is refused before a model is built.
import type { KerasLayer } from './layers';
import { KerasConfigError } from './layers';
import { isObject } from '../files/json-value';
import { KERAS3_GATE_SCALE } from './gates';

type Json = Record<string, unknown>;

export interface Topology {
  /** modelTopology as tf.models.modelFromJSON takes it */
  modelTopology: Json;
  /** the file's layers that carry weights, in the topology's order, by their tfjs layer name */
  weighted: { layer: KerasLayer; tfjsName: string; gateScale: number }[];
  /** the input shape without the batch axis */
  inputShape: number[];
  notes: string[];
}

/** Layers that are the identity at inference in Keras 3 (random augmentation, noise). */
const INFERENCE_NO_OPS = new Set([
  'RandomRotation', 'RandomZoom', 'RandomTranslation', 'RandomFlip', 'RandomContrast', 'RandomBrightness',
  'RandomErasing', 'RandomGaussianBlur', 'RandomSharpness', 'RandomShear', 'RandomPerspective', 'RandomElasticTransform',
  'RandomInvert', 'RandomPosterization', 'RandomColorJitter', 'RandomColorDegeneration', 'RandomHue', 'RandomSaturation',
  'RandomGrayscale', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization',
  'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D',
]);

/** Keras activation names TF.js computes the same way; hard_sigmoid is added for Keras 2 only. */
const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'swish']);

const DIGIT_INPUTS = ['784', '28,28', '28,28,1'];

function fail(layer: KerasLayer, problem: string): never {
  throw new KerasConfigError(`layer '${layer.name}' (${layer.className}) ${problem}`);
}

function activationName(value: unknown): string {
  // Keras 3 may write an activation as a serialized function object.
  const name = isObject(value) ? (typeof value.config === 'string' ? value.config : value.class_name) : (value ?? 'linear');
  return name === 'silu' ? 'swish' : String(name);
}

/**
 * Keras 2's hard_sigmoid as the lab's Keras engine registers it (resources/keras_lab.py), so that
 * a Keras 3 file can carry the seeds' gates exactly: TF.js's hard_sigmoid, no gate rescaling.
 */
export const KERAS2_HARD_SIGMOID = 'digit_lab>keras2_hard_sigmoid';

function activation(layer: KerasLayer, value: unknown, keras3: boolean, field = 'activation'): string {
  const plain = activationName(value);
  if (plain === KERAS2_HARD_SIGMOID) return 'hard_sigmoid';
  if (plain === 'hard_sigmoid') {
    // A recurrent layer's gates are rescaled (gates.ts); anywhere else Keras 3's differs from TF.js's.
    if (keras3 && field !== 'recurrent_activation') {
      fail(layer, `uses Keras 3's hard_sigmoid (relu6(x + 3) / 6) as its ${field}; TensorFlow.js computes only Keras 2's (clip(0.2x + 0.5)), so the lab cannot run it`);
    }
    return 'hard_sigmoid';
  }
  if (!ACTIVATIONS.has(plain)) fail(layer, `uses the activation '${plain}', which the lab cannot run (it runs ${[...ACTIVATIONS].join(', ')})`);
  return plain;
}

function pair(value: unknown): unknown {
  return typeof value === 'number' ? [value, value] : value;
}

function channelsLast(layer: KerasLayer): void {
  const format = layer.config.data_format;
  if (format !== undefined && format !== null && format !== 'channels_last') fail(layer, `uses data_format '${String(format)}'; the lab reads images channels_last`);
}

function batchShape(config: Json): unknown[] | undefined {
  const shape = config.batch_shape ?? config.batch_input_shape;
  if (Array.isArray(shape)) return shape;
  if (Array.isArray(config.input_shape)) return [null, ...config.input_shape];
  return undefined;
}

/** One layer as TF.js config, or null when it does nothing at inference. */
function tfjsLayer(layer: KerasLayer, keras3: boolean): { class_name: string; config: Json } | null {
  const c = layer.config;
  const name = layer.name;
  switch (layer.className) {
    case 'Dense':
      return { class_name: 'Dense', config: { name, units: c.units, activation: activation(layer, c.activation, keras3), use_bias: c.use_bias ?? true } };
    case 'Conv2D':
      channelsLast(layer);
      if ((c.groups ?? 1) !== 1) fail(layer, 'uses grouped convolution, which the lab cannot run');
      return {
        class_name: 'Conv2D',
        config: {
          name, filters: c.filters, kernel_size: pair(c.kernel_size), strides: pair(c.strides ?? 1), padding: c.padding ?? 'valid',
          data_format: 'channels_last', dilation_rate: pair(c.dilation_rate ?? 1), activation: activation(layer, c.activation, keras3), use_bias: c.use_bias ?? true,
        },
      };
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      channelsLast(layer);
      return { class_name: layer.className, config: { name, pool_size: pair(c.pool_size ?? 2), strides: pair(c.strides ?? c.pool_size ?? 2), padding: c.padding ?? 'valid', data_format: 'channels_last' } };
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      channelsLast(layer);
      if (c.keepdims) fail(layer, 'keeps its pooled dimensions (keepdims), which the lab cannot run');
      return { class_name: layer.className, config: { name, data_format: 'channels_last' } };
    case 'Flatten':
      channelsLast(layer);
      return { class_name: 'Flatten', config: { name } };
    case 'Reshape':
      return { class_name: 'Reshape', config: { name, target_shape: c.target_shape } };
    case 'Dropout':
      return { class_name: 'Dropout', config: { name, rate: c.rate } };
    case 'Activation':
      return { class_name: 'Activation', config: { name, activation: activation(layer, c.activation, keras3) } };
    case 'ReLU': {
      if ((c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) fail(layer, 'has a negative slope or threshold, which the lab cannot run');
      const max = c.max_value ?? null;
      if (max !== null && max !== 6) fail(layer, `caps at ${String(max)}; the lab runs ReLU capped at 6 or not at all`);
      return { class_name: 'Activation', config: { name, activation: max === 6 ? 'relu6' : 'relu' } };
    }
    case 'Softmax':
      if (![undefined, -1].includes(c.axis as number)) fail(layer, 'normalizes along an axis other than the last');
      return { class_name: 'Activation', config: { name, activation: 'softmax' } };
    case 'LeakyReLU':
      return { class_name: 'LeakyReLU', config: { name, alpha: c.negative_slope ?? c.alpha ?? 0.3 } };
    case 'BatchNormalization': {
      const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
      if (axis.length !== 1) fail(layer, 'normalizes over several axes, which the lab cannot run');
      return { class_name: 'BatchNormalization', config: { name, axis: axis[0], epsilon: c.epsilon ?? 0.001, momentum: c.momentum ?? 0.99, center: c.center ?? true, scale: c.scale ?? true } };
    }
    case 'Rescaling':
      if (typeof c.scale !== 'number' || typeof (c.offset ?? 0) !== 'number') fail(layer, 'rescales per channel, which the lab cannot run');
      return { class_name: 'Rescaling', config: { name, scale: c.scale, offset: c.offset ?? 0 } };
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      if (c.stateful || c.return_state || c.go_backwards) fail(layer, 'is stateful, returns its state or runs backwards, which the lab cannot run');
      if (layer.className === 'GRU' && (c.reset_after ?? keras3)) {
        fail(layer, "applies its reset gate after the matrix product (reset_after=True, Keras 3's default); TensorFlow.js runs only reset_after=False");
      }
      const config: Json = {
        name, units: c.units, activation: activation(layer, c.activation ?? 'tanh', keras3), use_bias: c.use_bias ?? true,
        return_sequences: c.return_sequences ?? false,
      };
      if (layer.className !== 'SimpleRNN') {
        config.recurrent_activation = activation(layer, c.recurrent_activation ?? (keras3 ? 'sigmoid' : 'hard_sigmoid'), keras3, 'recurrent_activation');
      }
      if (layer.className === 'LSTM') config.unit_forget_bias = c.unit_forget_bias ?? true;
      return { class_name: layer.className, config };
    }
    case 'InputLayer':
      return null;
    default:
      if (INFERENCE_NO_OPS.has(layer.className)) return null;
      return fail(layer, 'is a layer the lab cannot run');
  }
}

function finalActivation(layers: { class_name: string; config: Json }[]): unknown {
  for (let i = layers.length - 1; i >= 0; i--) {
    const { class_name: type, config } = layers[i];
    if (type === 'Dropout') continue;
    return config.activation;
  }
  return undefined;
}

/**
 * The TF.js topology of a Keras model's layers: skipped layers and a softmax added to a
 * model that ends in logits are listed in notes. `inputScale` other than 1 puts a Rescaling
 * first, for a model trained on raw 0–255 pixels (the lab feeds 0–1).
 */
export function tfjsTopology(layers: KerasLayer[], keras3: boolean, modelName: string, inputScale = 1): Topology {
  const input = layers.find((layer) => batchShape(layer.config) !== undefined);
  const shape = input ? batchShape(input.config)! : undefined;
  if (!shape) throw new KerasConfigError('the model config gives no input shape');
  const inputShape = shape.slice(1) as number[];
  if (!DIGIT_INPUTS.includes(inputShape.join(','))) {
    throw new KerasConfigError(`its input shape is [${inputShape.map((d) => d ?? 'None').join(', ')}], not a 28×28 gray digit ([784], [28, 28] or [28, 28, 1])`);
  }
  const notes: string[] = [];
  const out: { class_name: string; config: Json }[] = [];
  const weighted: Topology['weighted'] = [];
  for (const layer of layers) {
    const converted = tfjsLayer(layer, keras3);
    if (!converted) {
      if (layer.className !== 'InputLayer') notes.push(`skipped layer '${layer.name}' (${layer.className}): it does nothing at inference`);
      continue;
    }
    const tfjsName = `${layer.name}_${out.length}`;
    converted.config.name = tfjsName;
    if (['Dense', 'Conv2D', 'BatchNormalization', 'SimpleRNN', 'LSTM', 'GRU'].includes(converted.class_name)) {
      const gated = keras3 && activationName(layer.config.recurrent_activation) === 'hard_sigmoid';
      weighted.push({ layer, tfjsName, gateScale: gated ? 1 / KERAS3_GATE_SCALE : 1 });
      // The file's weights replace them: no time spent drawing random (or orthogonal) ones first.
      for (const field of ['kernel_initializer', 'recurrent_initializer']) converted.config[field] = { class_name: 'Zeros', config: {} };
    }
    out.push(converted);
  }
  if (finalActivation(out) !== 'softmax') {
    out.push({ class_name: 'Activation', config: { name: 'softmax_added', activation: 'softmax' } });
    notes.push('the model ends without softmax (it gives logits); the lab applies softmax to read probabilities');
  }
  if (inputScale !== 1) out.unshift({ class_name: 'Rescaling', config: { name: 'input_scale', scale: inputScale, offset: 0 } });
  out[0].config.batch_input_shape = [null, ...inputShape];
  return {
    modelTopology: { class_name: 'Sequential', config: { name: modelName, layers: out }, keras_version: 'tfjs-layers', backend: 'tensor_flow.js' },
    weighted,
    inputShape,
    notes,
  };
}
