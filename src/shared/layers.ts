// The layer types the lab builds, one entry each in LAYERS: Keras's name for it, its fields
// with their ranges and Keras's defaults, and what a new one starts with in the Model view.
// Validation, the builder, the summary and the Model view's forms all read this table. A new
// layer type is a type below, its entry, its output shape (model-spec.ts) and its builder line
// (models/build.ts); the compiler points at each.
import { IMAGE_SIDE, MAX_UNITS } from './limits';
import type { ErrorCode, ErrorParams } from './error-codes';
import { KERAS_DEFAULTS } from './keras-defaults';

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const INITIALIZERS = ['glorotUniform', 'randomNormal', 'heNormal'] as const;
export type Initializer = (typeof INITIALIZERS)[number];
export const RECURRENT_TYPES = ['SimpleRNN', 'LSTM', 'GRU'] as const;
export type RecurrentType = (typeof RECURRENT_TYPES)[number];
export const PADDINGS = ['same', 'valid'] as const;
export type Padding = (typeof PADDINGS)[number];

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
export type LayerSpec = DenseLayer | ActivationLayer | DropoutLayer | Conv2DLayer | MaxPooling2DLayer | FlattenLayer | RecurrentLayer;
export type LayerType = LayerSpec['type'];
/** The layer description of one type (RecurrentLayer for LSTM, say). */
export type LayerOf<T extends LayerType> = LayerSpec extends infer L ? (L extends LayerSpec ? (T extends L['type'] ? L : never) : never) : never;

/** Every field name any layer type has (units, filters, …). */
export type FieldName = { [T in LayerType]: Exclude<keyof LayerOf<T>, 'type'> }[LayerType];

/** One field of a layer: what values it takes. */
export type FieldRule =
  | { kind: 'integer'; min: number; max: number }
  /** at least 0 and below 1, edited in steps of `step` */
  | { kind: 'fraction'; step: number }
  | { kind: 'choice'; choices: readonly string[] }
  | { kind: 'boolean' };

export interface FieldOptions {
  /** Keras's value when the field is left out; a required field has none */
  default?: string | number | boolean;
  /** when left out, the value of this other field (MaxPooling2D's strides follow its poolSize) */
  defaultFrom?: string;
  /** false for a field the Model view does not show (it keeps whatever value the layer has) */
  inForm?: false;
}

export type Field = FieldRule & FieldOptions;

/** core layers cost little per step; convolutions and recurrences are worth a second training thread */
export type LayerKind = 'core' | 'convolution' | 'recurrent';

export interface LayerInfo<L extends LayerSpec = LayerSpec> {
  /** Keras's snake_case name, numbered in the summary (dense_1, conv2d_2, …) */
  kerasName: string;
  kind: LayerKind;
  /** every field but `type`, in the order the Model view shows them */
  fields: Record<Exclude<keyof L, 'type'>, Field>;
  /** what a layer added in the Model view starts with */
  starter: Omit<L, 'type'>;
}

const integer = (max: number, extra: FieldOptions = {}): Field => ({ kind: 'integer', min: 1, max, ...extra });
const choice = (choices: readonly string[], extra: FieldOptions = {}): Field => ({ kind: 'choice', choices, ...extra });
const activation = choice(ACTIVATIONS, { default: 'linear' });
const kernelInitializer = choice(INITIALIZERS, { default: KERAS_DEFAULTS.kernelInitializer.value });

function recurrent(kerasName: string): LayerInfo<RecurrentLayer> {
  return {
    kerasName,
    kind: 'recurrent',
    fields: { units: integer(MAX_UNITS), activation: choice(ACTIVATIONS, { default: 'tanh', inForm: false }), returnSequences: { kind: 'boolean', default: false } },
    starter: { units: 64 },
  };
}

export const LAYERS: { [T in LayerType]: LayerInfo<LayerOf<T>> } = {
  Dense: {
    kerasName: 'dense',
    kind: 'core',
    fields: { units: integer(MAX_UNITS), activation, kernelInitializer },
    starter: { units: 64, activation: 'relu' },
  },
  Activation: {
    kerasName: 'activation',
    kind: 'core',
    fields: { activation: choice(ACTIVATIONS) },
    starter: { activation: 'relu' },
  },
  Dropout: {
    kerasName: 'dropout',
    kind: 'core',
    fields: { rate: { kind: 'fraction', step: 0.05 } },
    starter: { rate: 0.25 },
  },
  Conv2D: {
    kerasName: 'conv2d',
    kind: 'convolution',
    fields: {
      filters: integer(MAX_UNITS),
      kernelSize: integer(IMAGE_SIDE),
      strides: integer(IMAGE_SIDE, { default: 1 }),
      padding: choice(PADDINGS, { default: 'valid' }),
      activation,
      kernelInitializer,
    },
    starter: { filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
  },
  MaxPooling2D: {
    kerasName: 'max_pooling2d',
    kind: 'convolution',
    fields: {
      poolSize: integer(IMAGE_SIDE),
      strides: integer(IMAGE_SIDE, { defaultFrom: 'poolSize', inForm: false }),
      padding: choice(PADDINGS, { default: 'valid' }),
    },
    starter: { poolSize: 2 },
  },
  Flatten: { kerasName: 'flatten', kind: 'core', fields: {}, starter: {} },
  SimpleRNN: recurrent('simple_rnn'),
  LSTM: recurrent('lstm'),
  GRU: recurrent('gru'),
};

export const LAYER_TYPES = Object.keys(LAYERS) as readonly LayerType[];

/** The fields of a layer type, in the table's order. */
export function layerFields(type: LayerType): [FieldName, Field][] {
  return Object.entries(LAYERS[type].fields) as [FieldName, Field][];
}

export function isRecurrent(layer: LayerSpec): layer is RecurrentLayer {
  return LAYERS[layer.type]?.kind === 'recurrent';
}

/** A new layer of a type, as the Model view adds it. */
export function newLayer<T extends LayerType>(type: T): LayerOf<T> {
  return { type, ...structuredClone(LAYERS[type].starter) } as LayerOf<T>;
}

/** A field's value, or Keras's default for it when the layer leaves it out. */
export function fieldValue(layer: LayerSpec, name: string): unknown {
  const value = (layer as Record<string, unknown>)[name];
  if (value !== undefined) return value;
  const field = (LAYERS[layer.type].fields as Record<string, Field>)[name];
  return field?.defaultFrom ? (layer as Record<string, unknown>)[field.defaultFrom] : field?.default;
}

/** The layer with every field it leaves out set to Keras's default. */
export function withDefaults<L extends LayerSpec>(layer: L): Required<L> {
  const full: Record<string, unknown> = { ...layer };
  for (const [name] of layerFields(layer.type)) full[name] = fieldValue(layer, name);
  return full as Required<L>;
}

/** What is wrong with a field's value, as an error code and its parameters; undefined when it is right. */
export function fieldProblem(field: Field, value: unknown): { code: ErrorCode; params: ErrorParams } | undefined {
  if (value === undefined && (field.default !== undefined || field.defaultFrom !== undefined)) return undefined;
  const got = String(JSON.stringify(field.kind === 'choice' ? (value ?? '') : value));
  switch (field.kind) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= field.min && value <= field.max
        ? undefined
        : { code: 'model.fieldRange', params: { min: field.min, max: field.max, got } };
    case 'fraction':
      return typeof value === 'number' && value >= 0 && value < 1 ? undefined : { code: 'model.fieldFraction', params: { got } };
    case 'choice':
      return field.choices.includes(value as string) ? undefined : { code: 'model.fieldChoice', params: { choices: field.choices.join(', '), got } };
    case 'boolean':
      return typeof value === 'boolean' ? undefined : { code: 'model.fieldBoolean', params: { got } };
  }
}
