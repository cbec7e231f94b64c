// A model as plain serializable data: what the UI edits, saves and rebuilds.
// Keras semantics: Dense with no activation is linear; names follow Keras.
import { KERAS_DEFAULTS } from './keras-defaults';

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const INITIALIZERS = ['glorotUniform', 'randomNormal', 'heNormal'] as const;
export type Initializer = (typeof INITIALIZERS)[number];
export const OPTIMIZERS = ['sgd', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const RECURRENT_TYPES = ['SimpleRNN', 'LSTM', 'GRU'] as const;
export type RecurrentType = (typeof RECURRENT_TYPES)[number];
export const PADDINGS = ['same', 'valid'] as const;
export type Padding = (typeof PADDINGS)[number];

/** Keras's default learning rates. */
export const DEFAULT_LEARNING_RATE: Record<OptimizerName, number> = {
  sgd: KERAS_DEFAULTS.sgd.value.learningRate,
  adam: KERAS_DEFAULTS.adam.value.learningRate,
  rmsprop: KERAS_DEFAULTS.rmsprop.value.learningRate,
};

export type DenseLayer = { type: 'Dense'; units: number; activation?: Activation; kernelInitializer?: Initializer };
export type ActivationLayer = { type: 'Activation'; activation: Activation };
export type DropoutLayer = { type: 'Dropout'; rate: number };
export type Conv2DLayer = {
  type: 'Conv2D';
  filters: number;
  kernelSize: number;
  strides?: number;
  padding?: Padding;
  activation?: Activation;
  kernelInitializer?: Initializer;
};
export type MaxPooling2DLayer = { type: 'MaxPooling2D'; poolSize: number; strides?: number; padding?: Padding };
export type FlattenLayer = { type: 'Flatten' };
export type RecurrentLayer = {
  type: RecurrentType;
  units: number;
  activation?: Activation;
  returnSequences?: boolean;
};
export type LayerSpec =
  | DenseLayer
  | ActivationLayer
  | DropoutLayer
  | Conv2DLayer
  | MaxPooling2DLayer
  | FlattenLayer
  | RecurrentLayer;
export type LayerType = LayerSpec['type'];
export const LAYER_TYPES: readonly LayerType[] = [
  'Dense',
  'Activation',
  'Dropout',
  'Conv2D',
  'MaxPooling2D',
  'Flatten',
  'SimpleRNN',
  'LSTM',
  'GRU',
];

/** How the 28×28 image is fed: flat 784 (MLP), 28 steps × 28 pixels (RNN), 28×28×1 (CNN). */
export const INPUT_SHAPES = { flat: [784], sequence: [28, 28], image: [28, 28, 1] } as const;
export type InputKind = keyof typeof INPUT_SHAPES;

export type Validation =
  | { kind: 'none' }
  | { kind: 'split'; fraction: number }
  | { kind: 'test' };

export interface ModelSpec {
  name: string;
  input: InputKind;
  layers: LayerSpec[];
  optimizer: OptimizerName;
  learningRate: number;
  epochs: number;
  batchSize: number;
  validation: Validation;
}

export const NUM_CLASSES = 10;
const MAX_UNITS = 8192;
const MAX_EPOCHS = 1000;
const MAX_BATCH = 60000;
// What one run may hold, so that an edited model is refused with a reason instead of
// exhausting memory: weights (with their gradients and optimizer state), and the layer
// outputs of one batch, which backpropagation keeps.
const MAX_PARAMS = 25_000_000;
const MAX_BATCH_VALUES = 100_000_000;

export type Shape = number[];

export class ModelSpecError extends Error {
  constructor(
    message: string,
    /** index of the layer that breaks the model, or -1 for the model as a whole */
    readonly layer: number,
  ) {
    super(message);
    this.name = 'ModelSpecError';
  }
}

export interface LayerRow {
  name: string;
  type: LayerType;
  outputShape: Shape;
  params: number;
}

const SNAKE_NAMES: Record<LayerType, string> = {
  Dense: 'dense',
  Activation: 'activation',
  Dropout: 'dropout',
  Conv2D: 'conv2d',
  MaxPooling2D: 'max_pooling2d',
  Flatten: 'flatten',
  SimpleRNN: 'simple_rnn',
  LSTM: 'lstm',
  GRU: 'gru',
};

/** Weight matrices per recurrent cell: one for SimpleRNN, four gates for LSTM, three for GRU. */
const RECURRENT_GATES: Record<RecurrentType, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 };

export function isRecurrent(layer: LayerSpec): layer is RecurrentLayer {
  return (RECURRENT_TYPES as readonly string[]).includes(layer.type);
}

function describe(layer: LayerSpec, index: number): string {
  return `layer ${index + 1} (${layer.type})`;
}

function positiveInteger(value: unknown, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;
}

function requireInteger(layer: LayerSpec, index: number, field: string, value: unknown, max: number): void {
  if (!positiveInteger(value, max)) {
    throw new ModelSpecError(
      `${describe(layer, index)}: ${field} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`,
      index,
    );
  }
}

function requireOneOf(layer: LayerSpec, index: number, field: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new ModelSpecError(
      `${describe(layer, index)}: ${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
      index,
    );
  }
}

function windowOutput(size: number, window: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1;
}

/** Output shape and parameter count of one layer on an input shape (batch axis left out). */
function layerOutput(layer: LayerSpec, index: number, input: Shape): { shape: Shape; params: number } {
  const rankError = (need: string): never => {
    throw new ModelSpecError(
      `${describe(layer, index)} needs ${need} input, but gets shape ${formatShape(input)}`,
      index,
    );
  };
  switch (layer.type) {
    case 'Dense': {
      requireInteger(layer, index, 'units', layer.units, MAX_UNITS);
      requireOneOf(layer, index, 'activation', layer.activation, ACTIVATIONS);
      requireOneOf(layer, index, 'kernelInitializer', layer.kernelInitializer, INITIALIZERS);
      const features = input[input.length - 1];
      return { shape: [...input.slice(0, -1), layer.units], params: features * layer.units + layer.units };
    }
    case 'Activation':
      if (!ACTIVATIONS.includes(layer.activation)) requireOneOf(layer, index, 'activation', layer.activation ?? '', ACTIVATIONS);
      return { shape: input, params: 0 };
    case 'Dropout':
      if (typeof layer.rate !== 'number' || !(layer.rate >= 0 && layer.rate < 1)) {
        throw new ModelSpecError(`${describe(layer, index)}: rate must be at least 0 and below 1, got ${JSON.stringify(layer.rate)}`, index);
      }
      return { shape: input, params: 0 };
    case 'Conv2D': {
      if (input.length !== 3) rankError('an image (height × width × channels)');
      requireInteger(layer, index, 'filters', layer.filters, MAX_UNITS);
      requireInteger(layer, index, 'kernelSize', layer.kernelSize, 28);
      requireInteger(layer, index, 'strides', layer.strides ?? 1, 28);
      requireOneOf(layer, index, 'padding', layer.padding, PADDINGS);
      requireOneOf(layer, index, 'activation', layer.activation, ACTIVATIONS);
      requireOneOf(layer, index, 'kernelInitializer', layer.kernelInitializer, INITIALIZERS);
      const [height, width, channels] = input;
      const padding = layer.padding ?? 'valid';
      const strides = layer.strides ?? 1;
      const outHeight = windowOutput(height, layer.kernelSize, strides, padding);
      const outWidth = windowOutput(width, layer.kernelSize, strides, padding);
      if (outHeight < 1 || outWidth < 1) {
        throw new ModelSpecError(
          `${describe(layer, index)}: a ${layer.kernelSize}×${layer.kernelSize} kernel with 'valid' padding does not fit in ${height}×${width}`,
          index,
        );
      }
      const params = layer.kernelSize * layer.kernelSize * channels * layer.filters + layer.filters;
      return { shape: [outHeight, outWidth, layer.filters], params };
    }
    case 'MaxPooling2D': {
      if (input.length !== 3) rankError('an image (height × width × channels)');
      requireInteger(layer, index, 'poolSize', layer.poolSize, 28);
      requireInteger(layer, index, 'strides', layer.strides ?? layer.poolSize, 28);
      requireOneOf(layer, index, 'padding', layer.padding, PADDINGS);
      const [height, width, channels] = input;
      const strides = layer.strides ?? layer.poolSize;
      const padding = layer.padding ?? 'valid';
      const outHeight = windowOutput(height, layer.poolSize, strides, padding);
      const outWidth = windowOutput(width, layer.poolSize, strides, padding);
      if (outHeight < 1 || outWidth < 1) {
        throw new ModelSpecError(`${describe(layer, index)}: a ${layer.poolSize}×${layer.poolSize} pool does not fit in ${height}×${width}`, index);
      }
      return { shape: [outHeight, outWidth, channels], params: 0 };
    }
    case 'Flatten':
      return { shape: [input.reduce((a, b) => a * b, 1)], params: 0 };
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      if (input.length !== 2) rankError('a sequence (steps × features)');
      requireInteger(layer, index, 'units', layer.units, MAX_UNITS);
      requireOneOf(layer, index, 'activation', layer.activation, ACTIVATIONS);
      const [steps, features] = input;
      const params = RECURRENT_GATES[layer.type] * (layer.units * (features + layer.units) + layer.units);
      return { shape: layer.returnSequences ? [steps, layer.units] : [layer.units], params };
    }
    default: {
      const unknown = layer as { type?: unknown };
      throw new ModelSpecError(
        `layer ${index + 1}: unknown type ${JSON.stringify(unknown.type)}; use one of ${LAYER_TYPES.join(', ')}`,
        index,
      );
    }
  }
}

/** The activation the model ends with: a final Activation layer, or the last layer's own. */
function finalActivation(layers: LayerSpec[]): Activation | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (layer.type === 'Activation') return layer.activation;
    if (layer.type === 'Dropout') continue;
    return 'activation' in layer ? (layer.activation ?? 'linear') : undefined;
  }
  return undefined;
}

/** Checks a description and infers every layer's output shape; throws ModelSpecError naming the layer. */
export function inferLayers(spec: ModelSpec): LayerRow[] {
  if (!spec || typeof spec !== 'object') throw new ModelSpecError('a model description must be an object', -1);
  if (!Object.hasOwn(INPUT_SHAPES, spec.input)) {
    throw new ModelSpecError(`input must be one of ${Object.keys(INPUT_SHAPES).join(', ')}, got ${JSON.stringify(spec.input)}`, -1);
  }
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) {
    throw new ModelSpecError('the model has no layers', -1);
  }
  const counts = new Map<LayerType, number>();
  let shape: Shape = [...INPUT_SHAPES[spec.input]];
  const rows = spec.layers.map((layer, index) => {
    if (!layer || typeof layer !== 'object') throw new ModelSpecError(`layer ${index + 1} is not a layer description`, index);
    const { shape: next, params } = layerOutput(layer, index, shape);
    shape = next;
    // Keras 2.2 numbering, as the seeds print it: dense_1, dense_2, …
    const nth = (counts.get(layer.type) ?? 0) + 1;
    counts.set(layer.type, nth);
    const name = `${SNAKE_NAMES[layer.type]}_${nth}`;
    return { name, type: layer.type, outputShape: next, params };
  });
  const last = spec.layers.length - 1;
  if (shape.length !== 1 || shape[0] !== NUM_CLASSES) {
    throw new ModelSpecError(
      `the model must end with ${NUM_CLASSES} outputs (one per digit), but its last layer gives ${formatShape(shape)}` +
        (shape.length > 1 ? '; add Flatten (or end the recurrent layers without returnSequences)' : ''),
      last,
    );
  }
  if (finalActivation(spec.layers) !== 'softmax') {
    throw new ModelSpecError('the last layer must apply softmax (categorical cross-entropy needs probabilities)', last);
  }
  return rows;
}

export function validateModelSpec(spec: ModelSpec): LayerRow[] {
  const rows = inferLayers(spec);
  if (!OPTIMIZERS.includes(spec.optimizer)) {
    throw new ModelSpecError(`optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${JSON.stringify(spec.optimizer)}`, -1);
  }
  if (typeof spec.learningRate !== 'number' || !(spec.learningRate > 0 && spec.learningRate <= 10)) {
    throw new ModelSpecError(`learning rate must be above 0 and at most 10, got ${JSON.stringify(spec.learningRate)}`, -1);
  }
  if (!positiveInteger(spec.epochs, MAX_EPOCHS)) {
    throw new ModelSpecError(`epochs must be a whole number from 1 to ${MAX_EPOCHS}, got ${JSON.stringify(spec.epochs)}`, -1);
  }
  if (!positiveInteger(spec.batchSize, MAX_BATCH)) {
    throw new ModelSpecError(`batch size must be a whole number from 1 to ${MAX_BATCH}, got ${JSON.stringify(spec.batchSize)}`, -1);
  }
  checkSize(rows, spec.batchSize);
  const validation = spec.validation;
  if (!validation || !['none', 'split', 'test'].includes(validation.kind)) {
    throw new ModelSpecError(`validation must be none, split or test, got ${JSON.stringify(validation)}`, -1);
  }
  if (validation.kind === 'split' && !(validation.fraction > 0 && validation.fraction < 1)) {
    throw new ModelSpecError(`validation split must be above 0 and below 1, got ${JSON.stringify(validation.fraction)}`, -1);
  }
  return rows;
}

function checkSize(rows: LayerRow[], batchSize: number): void {
  const largest = (size: (row: LayerRow) => number) => rows.reduce((best, row, i) => (size(row) > size(rows[best]) ? i : best), 0);
  const params = countParams(rows);
  if (params > MAX_PARAMS) {
    const at = largest((row) => row.params);
    throw new ModelSpecError(
      `the model has ${params.toLocaleString('en-US')} parameters, ${rows[at].params.toLocaleString('en-US')} of them in layer ${at + 1} (${rows[at].type}); the lab trains at most ${MAX_PARAMS.toLocaleString('en-US')}: use fewer units or filters`,
      at,
    );
  }
  const values = (row: LayerRow) => row.outputShape.reduce((a, b) => a * b, 1);
  const held = rows.reduce((sum, row) => sum + values(row), 0) * batchSize;
  if (held > MAX_BATCH_VALUES) {
    const at = largest(values);
    throw new ModelSpecError(
      `a batch of ${batchSize} makes the layers output ${held.toLocaleString('en-US')} values, most in layer ${at + 1} (${rows[at].type}); the lab allows at most ${MAX_BATCH_VALUES.toLocaleString('en-US')}: use a smaller batch size, or fewer units or filters`,
      at,
    );
  }
}

export function countParams(rows: LayerRow[]): number {
  return rows.reduce((sum, row) => sum + row.params, 0);
}

export function formatShape(shape: Shape): string {
  return `(None, ${shape.join(', ')})`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

const SUMMARY_WIDTH = 65;
/** Where the Output Shape and Param # columns start, as in Keras 2.2. */
const COLUMN_STOPS = [29, 55, SUMMARY_WIDTH];

/**
 * Keras 2.2's print_row: each cell is cut at its column's stop and padded to it, and the
 * character before the next cell becomes a space (so `max_pooling2d_1 (MaxPooling2 (None, …`).
 */
function columns(cells: string[]): string {
  let line = '';
  cells.forEach((cell, i) => {
    if (i > 0) line = line.slice(0, -1) + ' ';
    line = (line + cell).slice(0, COLUMN_STOPS[i]);
    line += ' '.repeat(COLUMN_STOPS[i] - line.length);
  });
  return line.trimEnd();
}

/** Keras's model.summary() table, in the format the seeds print. */
export function summary(spec: ModelSpec, modelName = 'sequential_1'): string {
  const rows = inferLayers(spec);
  const total = countParams(rows);
  const lines = [`Model: "${modelName}"`, '_'.repeat(SUMMARY_WIDTH), columns(['Layer (type)', 'Output Shape', 'Param #']), '='.repeat(SUMMARY_WIDTH)];
  rows.forEach((row, i) => {
    lines.push(columns([`${row.name} (${row.type})`, formatShape(row.outputShape), String(row.params)]));
    lines.push((i === rows.length - 1 ? '=' : '_').repeat(SUMMARY_WIDTH));
  });
  lines.push(`Total params: ${formatCount(total)}`, `Trainable params: ${formatCount(total)}`, 'Non-trainable params: 0', '_'.repeat(SUMMARY_WIDTH));
  return lines.join('\n');
}
