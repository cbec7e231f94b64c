// The parameters a model.json's layers declare, counted from their configs before TensorFlow.js
// builds them: tfjs allocates and initialises every weight first, so a 3 KB file declaring Dense
// units 1,000,000 would take gigabytes before the weights are found not to fit. The count is a
// lower bound (layers it does not know count as none, and stop the shape there); more than the
// weights manifest holds is refused.
import type * as tf from '@tensorflow/tfjs';
import { isObject } from './json-value';

/** A shape without its batch axis; null where a size is unknown. */
type Shape = (number | null)[];

interface LayerCount {
  params: number;
  output: Shape | null;
}

/** Layers that keep their input's shape and hold no weights. */
const PASS_THROUGH = new Set(['Dropout', 'Activation', 'ReLU', 'LeakyReLU', 'Softmax', 'ELU', 'GaussianNoise', 'GaussianDropout', 'SpatialDropout2D', 'InputLayer']);
/** Weight matrices per recurrent unit: one for SimpleRNN, four gates for LSTM, three for GRU. */
const GATES: Record<string, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 };

const size = (value: unknown): number | null => (Number.isInteger(value) && (value as number) >= 0 ? (value as number) : null);
const pair = (value: unknown, fallback: number): [number, number] => {
  if (Array.isArray(value)) return [size(value[0]) ?? fallback, size(value[1]) ?? fallback];
  const n = size(value) ?? fallback;
  return [n, n];
};

/** The declared input shape of a layer (batch axis dropped), if it declares one. */
function declaredInput(config: Record<string, unknown>): Shape | null {
  const batch = config.batch_input_shape ?? config.batch_shape;
  if (Array.isArray(batch)) return batch.slice(1).map(size);
  if (Array.isArray(config.input_shape)) return config.input_shape.map(size);
  return null;
}

/** Output length of one spatial axis of a convolution or pooling. */
function spatial(n: number | null, kernel: number, stride: number, padding: unknown, dilation = 1): number | null {
  if (n === null || stride < 1) return null;
  const span = (kernel - 1) * dilation + 1;
  return padding === 'same' ? Math.ceil(n / stride) : Math.max(0, Math.floor((n - span) / stride) + 1);
}

function countLayer(className: string, config: Record<string, unknown>, input: Shape | null): LayerCount {
  const none: LayerCount = { params: 0, output: null };
  if (PASS_THROUGH.has(className)) return { params: 0, output: input };
  if (className === 'Reshape') return { params: 0, output: Array.isArray(config.target_shape) ? config.target_shape.map(size) : null };
  if (!input) return none;
  const last = input[input.length - 1];
  const bias = config.use_bias === false ? 0 : 1;
  const units = size(config.units);
  switch (className) {
    case 'Dense':
      if (units === null || last === null) return none;
      return { params: last * units + bias * units, output: [...input.slice(0, -1), units] };
    case 'Flatten':
      return { params: 0, output: [input.every((d) => d !== null) ? input.reduce((a, b) => a! * b!, 1) : null] };
    case 'BatchNormalization':
      // gamma and beta may be left out; the moving mean and variance never are.
      return { params: last === null ? 0 : 2 * last, output: input };
    case 'Conv2D': {
      const filters = size(config.filters);
      if (filters === null || input.length !== 3 || config.data_format === 'channels_first') return none;
      const [kh, kw] = pair(config.kernel_size, 1);
      const [sh, sw] = pair(config.strides, 1);
      const [dh, dw] = pair(config.dilation_rate, 1);
      const params = input[2] === null ? 0 : kh * kw * input[2] * filters + bias * filters;
      return { params, output: [spatial(input[0], kh, sh, config.padding, dh), spatial(input[1], kw, sw, config.padding, dw), filters] };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      if (input.length !== 3 || config.data_format === 'channels_first') return none;
      const [ph, pw] = pair(config.pool_size, 2);
      const [sh, sw] = config.strides == null ? [ph, pw] : pair(config.strides, 1);
      return { params: 0, output: [spatial(input[0], ph, sh, config.padding), spatial(input[1], pw, sw, config.padding), input[2]] };
    }
    default: {
      const gates = GATES[className];
      if (gates === undefined || units === null || input.length !== 2) return none;
      const params = last === null ? 0 : gates * (last * units + units * units + bias * units);
      return { params, output: config.return_sequences ? [input[0], units] : [units] };
    }
  }
}

interface Counted {
  total: number;
  largest: { name: string; params: number };
}

function add(counted: Counted, name: string, params: number): void {
  counted.total += params;
  if (params > counted.largest.params) counted.largest = { name, params };
}

function layerName(layer: Record<string, unknown>, config: Record<string, unknown>): string {
  return typeof config.name === 'string' ? config.name : String(layer.name);
}

/** A Sequential: each layer's input is the one before it's output. */
function countSequential(layers: unknown[], counted: Counted): void {
  let shape: Shape | null = null;
  for (const layer of layers) {
    if (!isObject(layer) || !isObject(layer.config) || typeof layer.class_name !== 'string') return;
    shape = declaredInput(layer.config) ?? shape;
    const { params, output } = countLayer(layer.class_name, layer.config, shape);
    add(counted, layerName(layer, layer.config), params);
    shape = output;
  }
}

/** A functional model (graph already checked): each layer's input is its first inbound layer's output. */
function countFunctional(layers: unknown[], counted: Counted): void {
  const outputs = new Map<string, Shape | null>();
  const waiting = layers.filter(isObject);
  for (let progress = true; progress && waiting.length > 0; ) {
    progress = false;
    for (let i = waiting.length - 1; i >= 0; i--) {
      const layer = waiting[i];
      const first = Array.isArray(layer.inbound_nodes) && Array.isArray(layer.inbound_nodes[0]) ? layer.inbound_nodes[0][0] : undefined;
      const from = Array.isArray(first) ? String(first[0]) : undefined;
      if (from !== undefined && !outputs.has(from)) continue;
      const config = isObject(layer.config) ? layer.config : {};
      const input = declaredInput(config) ?? (from === undefined ? null : outputs.get(from)!);
      const { params, output } = countLayer(String(layer.class_name), config, input);
      add(counted, layerName(layer, config), params);
      outputs.set(String(layer.name), output);
      waiting.splice(i, 1);
      progress = true;
    }
  }
}

/** The parameters the topology's layers declare (a lower bound), and the largest layer. */
export function declaredParams(topology: Record<string, unknown>): Counted {
  const counted: Counted = { total: 0, largest: { name: '', params: 0 } };
  const config = Array.isArray(topology.config) ? { layers: topology.config } : topology.config;
  if (!isObject(config) || !Array.isArray(config.layers)) return counted;
  if (topology.class_name === 'Sequential') countSequential(config.layers, counted);
  else countFunctional(config.layers, counted);
  return counted;
}

/** More parameters declared than the weights manifest holds values: refused before anything is allocated. */
export function paramsProblem(topology: Record<string, unknown>, weightSpecs: tf.io.WeightsManifestEntry[]): string | undefined {
  const held = weightSpecs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1), 0);
  const { total, largest } = declaredParams(topology);
  if (total <= held) return undefined;
  return `its layers declare ${total.toLocaleString('en')} parameters (layer ${largest.name} alone ${largest.params.toLocaleString('en')}), but the weights manifest holds ${held.toLocaleString('en')} values`;
}
