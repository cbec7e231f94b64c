// A ModelSpec into a compiled tf.LayersModel.
import * as tf from '@tensorflow/tfjs';
import { fastOrthogonal } from './orthogonal';
import { KerasAdam } from './keras-adam';
import { KERAS_DEFAULTS as K } from '../shared/keras-defaults';
import {
  INPUT_SHAPES,
  validateModelSpec,
  withDefaults,
  type LayerSpec,
  type ModelSpec,
  type OptimizerName,
} from '../shared/model-spec';

export const LOSS = 'categoricalCrossentropy';
export const METRICS = ['accuracy'];

function kernelInitializer(seed: number | undefined, layerIndex: number, name: string) {
  const args = { seed: layerSeed(seed, layerIndex) };
  switch (name) {
    case 'randomNormal':
      return tf.initializers.randomNormal({ ...K.normalInitializer.value, ...args });
    case 'heNormal':
      return tf.initializers.heNormal(args);
    default:
      return tf.initializers.glorotUniform(args);
  }
}

function layerSeed(seed: number | undefined, layerIndex: number): number {
  // Without a seed each build differs; with one, layers differ from each other but the run repeats.
  return seed === undefined ? Math.floor(Math.random() * 2 ** 31) : seed * 1000 + layerIndex;
}

/** One layer, its left-out fields at Keras's defaults (the layer table in shared/layers.ts). */
function toLayer(spec: LayerSpec, index: number, seed: number | undefined, name: string, inputShape?: number[]): tf.layers.Layer {
  const first = { name, ...(inputShape ? { inputShape } : {}) };
  const layer = withDefaults(spec);
  switch (layer.type) {
    case 'Dense':
      return tf.layers.dense({
        ...first,
        units: layer.units,
        activation: layer.activation,
        kernelInitializer: kernelInitializer(seed, index, layer.kernelInitializer),
      });
    case 'Activation':
      return tf.layers.activation({ ...first, activation: layer.activation });
    case 'Dropout':
      // No seed here: tfjs would then draw the same mask every step. A seeded run
      // seeds Math.random instead (training/seeded-random.ts), which dropout draws from.
      return tf.layers.dropout({ ...first, rate: layer.rate });
    case 'Conv2D':
      return tf.layers.conv2d({
        ...first,
        filters: layer.filters,
        kernelSize: layer.kernelSize,
        strides: layer.strides,
        padding: layer.padding,
        activation: layer.activation,
        kernelInitializer: kernelInitializer(seed, index, layer.kernelInitializer),
      });
    case 'MaxPooling2D':
      return tf.layers.maxPooling2d({
        ...first,
        poolSize: layer.poolSize,
        strides: layer.strides,
        padding: layer.padding,
      });
    case 'Flatten':
      return tf.layers.flatten(first);
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      const args = {
        ...first,
        units: layer.units,
        returnSequences: layer.returnSequences,
        activation: layer.activation,
        kernelInitializer: kernelInitializer(seed, index, K.kernelInitializer.value),
        recurrentInitializer: fastOrthogonal(layerSeed(seed, index) + 1),
        biasInitializer: K.biasInitializer.value,
      };
      if (layer.type === 'SimpleRNN') return tf.layers.simpleRNN(args);
      const gates = { ...args, recurrentActivation: K.recurrentActivation.value };
      if (layer.type === 'LSTM') return tf.layers.lstm({ ...gates, unitForgetBias: K.unitForgetBias.value });
      // K.gruResetAfter: tfjs's GRU only applies the reset gate before the matmul, as Keras 2.2 does.
      return tf.layers.gru(gates);
    }
  }
}

export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'adam': {
      const { beta1, beta2, epsilon } = K.adam.value;
      return new KerasAdam(learningRate, beta1, beta2, epsilon);
    }
    case 'rmsprop': {
      const { rho, momentum, epsilon } = K.rmsprop.value;
      return tf.train.rmsprop(learningRate, rho, momentum, epsilon);
    }
  }
}

export interface BuildOptions {
  /** seeds weight initialisation and dropout so a run repeats on the same backend */
  seed?: number;
}

/** Builds and compiles the model a description describes; an invalid one throws ModelSpecError. */
export function buildModel(spec: ModelSpec, options: BuildOptions = {}): tf.Sequential {
  // Keras's layer names, as the summary prints them (conv2d_1, dense_2, …), not tfjs's conv2d_Conv2D1
  const names = validateModelSpec(spec).map((row) => row.name);
  const model = tf.sequential({ name: spec.name.replace(/[^A-Za-z0-9_]/g, '_') || 'sequential' });
  spec.layers.forEach((layer, index) => {
    model.add(toLayer(layer, index, options.seed, names[index], index === 0 ? [...INPUT_SHAPES[spec.input]] : undefined));
  });
  model.compile({ optimizer: makeOptimizer(spec.optimizer, spec.learningRate), loss: LOSS, metrics: METRICS });
  return model;
}
