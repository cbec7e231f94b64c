// A model as plain serializable data: what the UI edits, saves and rebuilds.
// Keras semantics: Dense with no activation is linear; names follow Keras.
// The layer types themselves (fields, ranges, defaults) are the table in layers.ts.
import { IMAGE_PIXELS, IMAGE_SIDE, MAX_BATCH_SIZE, MAX_BATCH_VALUES, MAX_EPOCHS, MAX_LEARNING_RATE, MAX_PARAMS } from './limits';
import { errorMessage, type ErrorCode, type ErrorParams } from './error-codes';
import { fieldProblem, LAYER_TYPES, LAYERS, layerFields, withDefaults, type Activation, type LayerSpec, type LayerType, type Padding, type RecurrentType } from './layers';

export * from './layers';
import { augmentationProblem, type Augmentation } from './augment';
import { KERAS_DEFAULTS } from './keras-defaults';

export const OPTIMIZERS = ['sgd', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Keras's default learning rates. */
export const DEFAULT_LEARNING_RATE: Record<OptimizerName, number> = {
  sgd: KERAS_DEFAULTS.sgd.value.learningRate,
  adam: KERAS_DEFAULTS.adam.value.learningRate,
  rmsprop: KERAS_DEFAULTS.rmsprop.value.learningRate,
};

/** How the 28×28 image is fed: flat 784 (MLP), 28 steps × 28 pixels (RNN), 28×28×1 (CNN). */
export const INPUT_SHAPES = { flat: [IMAGE_PIXELS], sequence: [IMAGE_SIDE, IMAGE_SIDE], image: [IMAGE_SIDE, IMAGE_SIDE, 1] } as const;
export type InputKind = keyof typeof INPUT_SHAPES;

/** how a run validates: not at all, on the last part of the training images (Keras's validation_split), or on the test set */
export const VALIDATION_KINDS = ['none', 'split', 'test'] as const;

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
  /** each training batch drawn a little differently (rotated, shifted, zoomed, thicker or thinner); absent: none */
  augmentation?: Augmentation;
}

export const NUM_CLASSES = 10;

export type Shape = number[];

/** A description that cannot be built: a code and its parameters (shared/error-codes.ts), the English as its message. */
export class ModelSpecError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams,
    /** index of the layer that breaks the model, or -1 for the model as a whole */
    readonly layer: number,
  ) {
    super(errorMessage(code, params));
    this.name = 'ModelSpecError';
  }
}

export interface LayerRow {
  name: string;
  type: LayerType;
  outputShape: Shape;
  params: number;
}

/** Weight matrices per recurrent cell: one for SimpleRNN, four gates for LSTM, three for GRU. */
const RECURRENT_GATES: Record<RecurrentType, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 };

/** The parameters that name a layer in an error: its number and type. */
function at(layer: LayerSpec, index: number): ErrorParams {
  return { n: index + 1, type: layer.type };
}

function positiveInteger(value: unknown, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;
}

/** Checks every field of a layer against the layer table. */
function checkFields(layer: LayerSpec, index: number): void {
  for (const [name, field] of layerFields(layer.type)) {
    const problem = fieldProblem(field, (layer as Record<string, unknown>)[name]);
    if (problem) throw new ModelSpecError(problem.code, { ...at(layer, index), field: name, ...problem.params }, index);
  }
}

function windowOutput(size: number, window: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1;
}

/** Output shape and parameter count of one layer on an input shape (batch axis left out). */
function layerOutput(layer: LayerSpec, index: number, input: Shape): { shape: Shape; params: number } {
  const rankError = (code: ErrorCode): never => {
    throw new ModelSpecError(code, { ...at(layer, index), shape: formatShape(input) }, index);
  };
  if (!Object.hasOwn(LAYERS, layer.type)) {
    const unknown = layer as { type?: unknown };
    throw new ModelSpecError('model.unknownType', { n: index + 1, got: String(JSON.stringify(unknown.type)), choices: LAYER_TYPES.join(', ') }, index);
  }
  const kind = LAYERS[layer.type].kind;
  if (kind === 'convolution' && input.length !== 3) rankError('model.needsImage');
  if (kind === 'recurrent' && input.length !== 2) rankError('model.needsSequence');
  checkFields(layer, index);
  switch (layer.type) {
    case 'Dense': {
      const features = input[input.length - 1];
      return { shape: [...input.slice(0, -1), layer.units], params: features * layer.units + layer.units };
    }
    case 'Activation':
    case 'Dropout':
      return { shape: input, params: 0 };
    case 'Conv2D': {
      const [height, width, channels] = input;
      const { padding, strides } = withDefaults(layer);
      const outHeight = windowOutput(height, layer.kernelSize, strides, padding);
      const outWidth = windowOutput(width, layer.kernelSize, strides, padding);
      if (outHeight < 1 || outWidth < 1) {
        throw new ModelSpecError('model.kernelTooBig', { ...at(layer, index), size: layer.kernelSize, height, width }, index);
      }
      const params = layer.kernelSize * layer.kernelSize * channels * layer.filters + layer.filters;
      return { shape: [outHeight, outWidth, layer.filters], params };
    }
    case 'MaxPooling2D': {
      const [height, width, channels] = input;
      const { padding, strides } = withDefaults(layer);
      const outHeight = windowOutput(height, layer.poolSize, strides, padding);
      const outWidth = windowOutput(width, layer.poolSize, strides, padding);
      if (outHeight < 1 || outWidth < 1) {
        throw new ModelSpecError('model.poolTooBig', { ...at(layer, index), size: layer.poolSize, height, width }, index);
      }
      return { shape: [outHeight, outWidth, channels], params: 0 };
    }
    case 'Flatten':
      return { shape: [input.reduce((a, b) => a * b, 1)], params: 0 };
    case 'SimpleRNN':
    case 'LSTM':
    case 'GRU': {
      const [steps, features] = input;
      const params = RECURRENT_GATES[layer.type] * (layer.units * (features + layer.units) + layer.units);
      return { shape: layer.returnSequences ? [steps, layer.units] : [layer.units], params };
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
  if (!spec || typeof spec !== 'object') throw new ModelSpecError('model.notObject', {}, -1);
  if (!Object.hasOwn(INPUT_SHAPES, spec.input)) {
    throw new ModelSpecError('model.input', { choices: Object.keys(INPUT_SHAPES).join(', '), got: String(JSON.stringify(spec.input)) }, -1);
  }
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) {
    throw new ModelSpecError('model.noLayers', {}, -1);
  }
  const counts = new Map<LayerType, number>();
  let shape: Shape = [...INPUT_SHAPES[spec.input]];
  const rows = spec.layers.map((layer, index) => {
    if (!layer || typeof layer !== 'object') throw new ModelSpecError('model.notLayer', { n: index + 1 }, index);
    const { shape: next, params } = layerOutput(layer, index, shape);
    shape = next;
    // Keras 2.2 numbering, as the seeds print it: dense_1, dense_2, …
    const nth = (counts.get(layer.type) ?? 0) + 1;
    counts.set(layer.type, nth);
    const name = `${LAYERS[layer.type].kerasName}_${nth}`;
    return { name, type: layer.type, outputShape: next, params };
  });
  const last = spec.layers.length - 1;
  if (shape.length !== 1 || shape[0] !== NUM_CLASSES) {
    throw new ModelSpecError(shape.length > 1 ? 'model.outputsFlatten' : 'model.outputs', { classes: NUM_CLASSES, shape: formatShape(shape) }, last);
  }
  if (finalActivation(spec.layers) !== 'softmax') {
    throw new ModelSpecError('model.softmax', {}, last);
  }
  return rows;
}

export function validateModelSpec(spec: ModelSpec): LayerRow[] {
  const rows = inferLayers(spec);
  if (!OPTIMIZERS.includes(spec.optimizer)) {
    throw new ModelSpecError('model.optimizer', { choices: OPTIMIZERS.join(', '), got: String(JSON.stringify(spec.optimizer)) }, -1);
  }
  if (typeof spec.learningRate !== 'number' || !(spec.learningRate > 0 && spec.learningRate <= MAX_LEARNING_RATE)) {
    throw new ModelSpecError('model.learningRate', { max: MAX_LEARNING_RATE, got: String(JSON.stringify(spec.learningRate)) }, -1);
  }
  if (!positiveInteger(spec.epochs, MAX_EPOCHS)) {
    throw new ModelSpecError('model.epochs', { max: MAX_EPOCHS, got: String(JSON.stringify(spec.epochs)) }, -1);
  }
  if (!positiveInteger(spec.batchSize, MAX_BATCH_SIZE)) {
    throw new ModelSpecError('model.batchSize', { max: MAX_BATCH_SIZE, got: String(JSON.stringify(spec.batchSize)) }, -1);
  }
  checkSize(rows, spec.batchSize);
  const validation = spec.validation;
  if (!validation || !(VALIDATION_KINDS as readonly string[]).includes(validation.kind)) {
    throw new ModelSpecError('model.validation', { choices: VALIDATION_KINDS.join(', '), got: String(JSON.stringify(validation)) }, -1);
  }
  if (validation.kind === 'split' && !(validation.fraction > 0 && validation.fraction < 1)) {
    throw new ModelSpecError('model.split', { got: String(JSON.stringify(validation.fraction)) }, -1);
  }
  const augmentationError = spec.augmentation === undefined ? undefined : augmentationProblem(spec.augmentation);
  if (augmentationError) throw new ModelSpecError(augmentationError.code, augmentationError.params, -1);
  return rows;
}

function checkSize(rows: LayerRow[], batchSize: number): void {
  const largest = (size: (row: LayerRow) => number) => rows.reduce((best, row, i) => (size(row) > size(rows[best]) ? i : best), 0);
  const params = countParams(rows);
  if (params > MAX_PARAMS) {
    const i = largest((row) => row.params);
    const counts = { params: formatCount(params), layerParams: formatCount(rows[i].params), max: formatCount(MAX_PARAMS) };
    throw new ModelSpecError('model.tooManyParams', { ...counts, n: i + 1, type: rows[i].type }, i);
  }
  const values = (row: LayerRow) => row.outputShape.reduce((a, b) => a * b, 1);
  const held = rows.reduce((sum, row) => sum + values(row), 0) * batchSize;
  if (held > MAX_BATCH_VALUES) {
    const i = largest(values);
    const counts = { batch: batchSize, values: formatCount(held), max: formatCount(MAX_BATCH_VALUES) };
    throw new ModelSpecError('model.batchTooLarge', { ...counts, n: i + 1, type: rows[i].type }, i);
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
