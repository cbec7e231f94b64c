// A lab model handed back to Keras: a Keras 3 .keras zip (config.json, metadata.json,
// model.weights.h5) or the legacy HDF5 .h5 (model_config + model_weights), both of which
// keras.models.load_model opens. Only what a layer does at inference is written.
import type * as tf from '@tensorflow/tfjs';
import { zipSync, strToU8 } from 'fflate';
import { writeHdf5, type H5Group } from './hdf5';
import { KERAS3_GATE_SCALE, scaleGates } from './gates';
import { snakeCase } from './layers';

export type KerasFormat = 'keras' | 'h5';
type Json = Record<string, unknown>;

/** The Keras version the written files follow (their layout, and hard_sigmoid's meaning). */
const WRITTEN_KERAS_VERSION = '3.15.1';

interface ExportLayer {
  className: string;
  config: Json;
  weights: { name: string; shape: number[]; values: Float32Array }[];
}

export class KerasExportError extends Error {}

const TFJS_ACTIVATIONS: Record<string, string> = { hardSigmoid: 'hard_sigmoid' };

function activation(value: unknown): string {
  const name = String(value ?? 'linear');
  return TFJS_ACTIVATIONS[name] ?? name;
}

/** One TF.js layer as a Keras layer config (snake_case, as Keras writes it), or null when it has nothing to run. */
function kerasConfig(layer: tf.layers.Layer, name: string): { className: string; config: Json } {
  const c = layer.getConfig() as Json;
  const className = layer.getClassName();
  switch (className) {
    case 'Dense':
      return { className, config: { name, units: c.units, activation: activation(c.activation), use_bias: c.useBias } };
    case 'Conv2D':
      return {
        className,
        config: { name, filters: c.filters, kernel_size: c.kernelSize, strides: c.strides, padding: c.padding, data_format: 'channels_last', dilation_rate: c.dilationRate, activation: activation(c.activation), use_bias: c.useBias },
      };
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return { className, config: { name, pool_size: c.poolSize, strides: c.strides, padding: c.padding, data_format: 'channels_last' } };
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
    case 'Flatten':
      return { className, config: { name, data_format: 'channels_last' } };
    case 'Reshape':
      return { className, config: { name, target_shape: c.targetShape } };
    case 'Dropout':
      return { className, config: { name, rate: c.rate } };
    case 'Activation':
      return { className, config: { name, activation: activation(c.activation) } };
    case 'LeakyReLU':
      return { className, config: { name, negative_slope: c.alpha } };
    case 'BatchNormalization':
      return { className, config: { name, axis: c.axis, epsilon: c.epsilon, momentum: c.momentum, center: c.center, scale: c.scale } };
    case 'Rescaling':
      return { className, config: { name, scale: c.scale, offset: c.offset } };
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      const config: Json = { name, units: c.units, activation: activation(c.activation), use_bias: c.useBias, return_sequences: c.returnSequences };
      if (className !== 'SimpleRNN') config.recurrent_activation = activation(c.recurrentActivation);
      if (className === 'LSTM') config.unit_forget_bias = c.unitForgetBias ?? true;
      if (className === 'GRU') config.reset_after = false;
      return { className, config };
    }
    default:
      throw new KerasExportError(`layer '${layer.name}' (${className}) has no Keras counterpart the lab can write`);
  }
}

/** Keras weight names, in the order Keras keeps them (and TF.js does too). */
function weightNames(className: string, count: number): string[] {
  const names: Record<string, string[]> = {
    BatchNormalization: ['gamma', 'beta', 'moving_mean', 'moving_variance'],
    SimpleRNN: ['kernel', 'recurrent_kernel', 'bias'],
    LSTM: ['kernel', 'recurrent_kernel', 'bias'],
    GRU: ['kernel', 'recurrent_kernel', 'bias'],
  };
  return (names[className] ?? ['kernel', 'bias']).slice(0, count);
}

/**
 * The model's layers with Keras names (dense, dense_1, …) and weights; hard_sigmoid gates are
 * rescaled for Keras 3. Weights are read with data(), which webgpu can do outside a browser.
 */
async function exportLayers(model: tf.LayersModel): Promise<ExportLayer[]> {
  const used = new Map<string, number>();
  const kept = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  const values = await Promise.all(kept.map((layer) => Promise.all(layer.getWeights().map((tensor) => tensor.data() as Promise<Float32Array>))));
  return kept.map((layer, l) => {
    const snake = snakeCase(layer.getClassName());
    const n = used.has(snake) ? used.get(snake)! + 1 : 0;
    used.set(snake, n);
    const { className, config } = kerasConfig(layer, n === 0 ? snake : `${snake}_${n}`);
    const gated = config.recurrent_activation === 'hard_sigmoid';
    const names = weightNames(className, layer.weights.length);
    const weights = layer.getWeights().map((tensor, i) => {
      const read = values[l][i];
      const shape = tensor.shape;
      return { name: names[i], shape, values: gated ? scaleGates(className, shape, read, Number(config.units), KERAS3_GATE_SCALE) : Float32Array.from(read) };
    });
    return { className, config, weights };
  });
}

function inputShape(model: tf.LayersModel): number[] {
  return model.inputs[0].shape.slice(1) as number[];
}

function kerasThreeConfig(model: tf.LayersModel, layers: ExportLayer[], name: string): Json {
  const batchShape = [null, ...inputShape(model)];
  const input = { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: batchShape, dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null };
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name,
      trainable: true,
      dtype: 'float32',
      layers: [input, ...layers.map((layer) => ({ module: 'keras.layers', class_name: layer.className, config: { ...layer.config, trainable: true, dtype: 'float32' }, registered_name: null }))],
    },
    registered_name: null,
    build_config: { input_shape: batchShape },
  };
}

/** Keras 2's form (no module, InputLayer's batch_input_shape), which Keras 3's legacy loader also reads. */
function legacyConfig(model: tf.LayersModel, layers: ExportLayer[], name: string): Json {
  const input = { class_name: 'InputLayer', config: { batch_input_shape: [null, ...inputShape(model)], dtype: 'float32', sparse: false, name: 'input_1' } };
  return {
    class_name: 'Sequential',
    config: { name, layers: [input, ...layers.map((layer) => ({ class_name: layer.className, config: { ...layer.config, trainable: true, dtype: 'float32' } }))] },
  };
}

function writeDataset(group: H5Group, name: string, weight: ExportLayer['weights'][number]): void {
  group.create_dataset({ name, data: weight.values, shape: weight.shape, dtype: '<f' });
}

async function kerasZip(model: tf.LayersModel, layers: ExportLayer[], name: string): Promise<Uint8Array> {
  const weights = await writeHdf5((file) => {
    file.create_group('vars');
    const top = file.create_group('layers');
    const used = new Map<string, number>();
    for (const layer of layers) {
      const snake = snakeCase(layer.className);
      const n = used.has(snake) ? used.get(snake)! + 1 : 0;
      used.set(snake, n);
      const group = top.create_group(n === 0 ? snake : `${snake}_${n}`);
      const recurrent = ['SimpleRNN', 'LSTM', 'GRU'].includes(layer.className);
      const vars = group.create_group('vars');
      const holder = recurrent ? group.create_group('cell').create_group('vars') : vars;
      layer.weights.forEach((weight, i) => writeDataset(holder, String(i), weight));
    }
  });
  const metadata = { keras_version: WRITTEN_KERAS_VERSION, date_saved: new Date().toISOString().slice(0, 19).replace('T', '@') };
  return zipSync({
    'metadata.json': strToU8(JSON.stringify(metadata)),
    'config.json': strToU8(JSON.stringify(kerasThreeConfig(model, layers, name))),
    'model.weights.h5': [weights, { level: 0 }],
  });
}

async function legacyH5(model: tf.LayersModel, layers: ExportLayer[], name: string): Promise<Uint8Array> {
  return writeHdf5((file) => {
    file.create_attribute('model_config', JSON.stringify(legacyConfig(model, layers, name)));
    file.create_attribute('keras_version', WRITTEN_KERAS_VERSION);
    file.create_attribute('backend', 'tensorflow');
    const root = file.create_group('model_weights');
    root.create_attribute('layer_names', layers.map((layer) => String(layer.config.name)));
    root.create_attribute('keras_version', WRITTEN_KERAS_VERSION);
    root.create_attribute('backend', 'tensorflow');
    for (const layer of layers) {
      const layerName = String(layer.config.name);
      const group = root.create_group(layerName);
      if (layer.weights.length === 0) continue;
      group.create_attribute('weight_names', layer.weights.map((w) => `${layerName}/${w.name}:0`));
      const inner = group.create_group(layerName);
      for (const weight of layer.weights) writeDataset(inner, `${weight.name}:0`, weight);
    }
  });
}

/** The model as the bytes of a Keras file of `format`. */
export async function kerasFileBytes(model: tf.LayersModel, format: KerasFormat, name: string): Promise<Uint8Array> {
  const layers = await exportLayers(model);
  const safeName = name.replace(/[^\w.-]/g, '_') || 'sequential';
  return format === 'keras' ? kerasZip(model, layers, safeName) : legacyH5(model, layers, safeName);
}
