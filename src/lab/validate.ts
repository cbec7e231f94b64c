// Every call's argument is checked before the lab acts on it: a renderer is not trusted.
// A failed check is a LabError naming the argument and what is wrong with it.
import { INPUT_SHAPES, LAYER_TYPES, LAYERS, validateModelSpec, ModelSpecError, type LayerType, type ModelSpec } from '../shared/model-spec';
import { CALL_NAMES, type CallName } from '../shared/contract';
import { LabError } from './lab-error';
import { PRESET_IDS } from '../shared/presets';
import { MAX_DRAWING_BYTES } from '../files/my-digits';
import { LANGUAGES, MAX_MIRRORS, MAX_PYTHON_PATH, THEMES } from './settings';
import { BACKEND_CHOICES } from '../shared/backends';
import { IMAGE_PIXELS, MAX_LAYERS, MAX_MY_DIGITS_REPEAT, MAX_SEED, MAX_WORKERS, MIN_LIMIT, TRAIN_IMAGES } from '../shared/limits';
import { MAX_IMPORT_BASE64, MAX_IMPORT_BYTES } from '../shared/limits';


type Check = (value: unknown, path: string) => void;

function fail(path: string, problem: string, layer?: number): never {
  throw new LabError('call.badArgument', { path, problem }, layer);
}

const shown = (value: unknown): string => (JSON.stringify(value) ?? String(value)).slice(0, 60);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownKeys(value: Record<string, unknown>, known: readonly string[], path: string, layer?: number): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(path, `has an unknown field ${shown(key)}`, layer);
  }
}

function object(fields: Record<string, Check>, optional: string[] = []): Check {
  return (value, path) => {
    if (!isObject(value)) fail(path, `must be an object, got ${shown(value)}`);
    unknownKeys(value, Object.keys(fields), path);
    for (const [key, check] of Object.entries(fields)) {
      if (value[key] === undefined) {
        if (!optional.includes(key)) fail(`${path}.${key}`, 'is required');
      } else {
        check(value[key], `${path}.${key}`);
      }
    }
  };
}

const none: Check = (value, path) => {
  if (value !== null && value !== undefined) fail(path, 'takes no argument (null)');
};

const boolean: Check = (value, path) => {
  if (typeof value !== 'boolean') fail(path, `must be true or false, got ${shown(value)}`);
};

function integer(min: number, max: number): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(path, `must be a whole number from ${min} to ${max}, got ${shown(value)}`);
    }
  };
}

/** training threads: 'auto' or a whole number from 1 to MAX_WORKERS */
const workersChoice: Check = (value, path) => {
  if (value === 'auto') return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_WORKERS) {
    fail(path, `must be "auto" or a whole number from 1 to ${MAX_WORKERS}, got ${shown(value)}`);
  }
};

function string(maxLength: number, pattern?: RegExp): Check {
  return (value, path) => {
    if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) fail(path, `must be a string of 1 to ${maxLength} characters`);
    if (pattern && !pattern.test(value)) fail(path, `has an invalid form: ${shown(value)}`);
  };
}

function oneOf(choices: readonly string[]): Check {
  return (value, path) => {
    if (!choices.includes(value as string)) fail(path, `must be one of ${choices.join(', ')}, got ${shown(value)}`);
  };
}

function array(item: Check, maxItems: number): Check {
  return (value, path) => {
    if (!Array.isArray(value) || value.length > maxItems) fail(path, `must be a list of at most ${maxItems} items`);
    value.forEach((v, i) => item(v, `${path}[${i}]`));
  };
}

const numbers = (length: number, min: number, max: number): Check => (value, path) => {
  if (!Array.isArray(value) || value.length !== length) fail(path, `must be a list of ${length} numbers`);
  for (const v of value) if (typeof v !== 'number' || !(v >= min && v <= max)) fail(path, `must hold numbers from ${min} to ${max}`);
};

// A model description's shape is checked here (which fields); their values and what they mean
// (shapes, params) by validateModelSpec, against the layer table. Either way an error inside a
// layer carries that layer's index.
const SPEC_FIELDS: readonly (keyof ModelSpec)[] = ['name', 'input', 'layers', 'optimizer', 'learningRate', 'epochs', 'batchSize', 'validation', 'augmentation'];
const VALIDATION_FIELDS = { none: ['kind'], split: ['kind', 'fraction'], test: ['kind'] } as const;

function layer(value: unknown, path: string, index: number): void {
  const where = `${path} (layer ${index + 1})`;
  if (!isObject(value)) fail(where, 'must be a layer description', index);
  if (!LAYER_TYPES.includes(value.type as LayerType)) fail(`${where}.type`, `must be one of ${LAYER_TYPES.join(', ')}, got ${shown(value.type)}`, index);
  unknownKeys(value, ['type', ...Object.keys(LAYERS[value.type as LayerType].fields)], where, index);
}

const modelSpec: Check = (value, path) => {
  if (!isObject(value)) fail(path, 'must be a model description');
  unknownKeys(value, SPEC_FIELDS, path);
  string(100)(value.name, `${path}.name`);
  oneOf(Object.keys(INPUT_SHAPES))(value.input, `${path}.input`);
  if (!Array.isArray(value.layers) || value.layers.length > MAX_LAYERS) fail(`${path}.layers`, `must be a list of at most ${MAX_LAYERS} layers`);
  value.layers.forEach((item, index) => layer(item, `${path}.layers[${index}]`, index));
  if (!isObject(value.validation)) fail(`${path}.validation`, 'must be an object');
  const kind = value.validation.kind as keyof typeof VALIDATION_FIELDS;
  oneOf(Object.keys(VALIDATION_FIELDS))(kind, `${path}.validation.kind`);
  unknownKeys(value.validation, VALIDATION_FIELDS[kind], `${path}.validation`);
  try {
    validateModelSpec(value as unknown as ModelSpec);
  } catch (error) {
    if (error instanceof ModelSpecError) throw new LabError('call.badModel', { path, problem: error.message }, error.layer >= 0 ? error.layer : undefined);
    throw error;
  }
};

const MAX_IMPORT_FILES = 32;
/** A file the user picked: a plain name in any script, never a path (no slashes, no leading dot, no control characters). */
const FILE_NAME = string(200, /^(?!\.)[\p{L}\p{N} _.,()+@-]+$/u);
const BASE64: Check = (value, path) => {
  if (typeof value !== 'string' || value.length > MAX_IMPORT_BASE64) fail(path, `must be the file's bytes as base64, at most ${MAX_IMPORT_BYTES / 2 ** 20} MiB`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) fail(path, 'has an invalid form: it is not base64');
};

const importFiles: Check = (value, path) => {
  array(object({ name: FILE_NAME, base64: BASE64 }), MAX_IMPORT_FILES)(value, path);
  const files = value as { name: string; base64: string }[];
  const names = files.map((f) => f.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) fail(path, `names ${shown(twice)} twice`);
  const models = names.filter((name) => name.toLowerCase().endsWith('.json'));
  // A Keras .keras or .h5 model is one file; a TF.js model is its model.json and weight shards.
  if (!(models.length === 0 && files.length === 1) && models.length !== 1) {
    fail(path, `must be one Keras file (.keras or .h5), or exactly one .json file (the model.json) with its weights; got ${models.length} .json files`);
  }
  const total = files.reduce((sum, f) => sum + f.base64.length, 0);
  if (total > MAX_IMPORT_BASE64) fail(path, `are larger than the ${MAX_IMPORT_BYTES / 2 ** 20} MiB a model may be`);
};

const RUN_ID = string(100, /^[A-Za-z0-9_-]+$/);
const DIGIT_ID = RUN_ID;
/** A drawing kept with a My digit: a PNG, base64, at most MAX_DRAWING_BYTES. */
const MAX_DRAWING_BASE64 = Math.ceil(MAX_DRAWING_BYTES / 3) * 4;
const DRAWING: Check = (value, path) => {
  if (typeof value !== 'string' || value.length > MAX_DRAWING_BASE64) fail(path, `must be a PNG as base64, at most ${MAX_DRAWING_BYTES / 2 ** 20} MiB`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) fail(path, 'has an invalid form: it is not base64');
};
const SPLIT = oneOf(['train', 'test']);
const MIRROR = string(500, /^https?:\/\/\S+$/);
const MAX_SAMPLES = 500;

const CHECKS: Record<CallName, Check> = {
  'engine.info': none,
  'engine.list': none,
  'data.status': none,
  'data.download': object({ mirrors: array(MIRROR, MAX_MIRRORS) }, ['mirrors']),
  'data.cancelDownload': none,
  'data.samples': object({ split: SPLIT, label: integer(0, 9), offset: integer(0, TRAIN_IMAGES), count: integer(1, MAX_SAMPLES) }, ['label']),
  'data.image': object({ split: SPLIT, index: integer(0, TRAIN_IMAGES - 1) }),
  'models.presets': none,
  'models.summary': object({ spec: modelSpec }),
  'train.start': object(
    { spec: modelSpec, limit: integer(MIN_LIMIT, TRAIN_IMAGES), seed: integer(0, MAX_SEED), workers: workersChoice, myDigits: boolean, myDigitsRepeat: integer(1, MAX_MY_DIGITS_REPEAT), initFrom: RUN_ID },
    ['limit', 'seed', 'workers', 'myDigits', 'myDigitsRepeat', 'initFrom'],
  ),
  'train.pause': none,
  'train.resume': none,
  'train.stop': none,
  'train.status': none,
  'runs.list': none,
  'runs.get': object({ runId: RUN_ID }),
  'runs.delete': object({ runId: RUN_ID }),
  'runs.evaluation': object({ runId: RUN_ID }),
  'models.export': object({ runId: RUN_ID }),
  'models.import': object({ files: importFiles, name: string(100) }, ['name']),
  'models.exportKeras': object({ runId: RUN_ID, format: oneOf(['keras', 'h5']) }),
  predict: object({ model: RUN_ID, input: numbers(IMAGE_PIXELS, 0, 1), featureMaps: boolean }, ['featureMaps']),
  'settings.get': none,
  'settings.set': object(
    { language: oneOf(LANGUAGES), theme: oneOf(THEMES), backend: oneOf(BACKEND_CHOICES), mirrors: array(MIRROR, MAX_MIRRORS), python: string(MAX_PYTHON_PATH, /^[^\0\n]*$/) },
    ['language', 'theme', 'backend', 'mirrors', 'python'],
  ),
  'digits.list': none,
  'digits.add': object({ label: integer(0, 9), input: numbers(IMAGE_PIXELS, 0, 1), png: DRAWING }, ['png']),
  'digits.delete': object({ id: DIGIT_ID }),
  'digits.evaluate': object({ model: RUN_ID }),
  'reproduce.start': object({ presets: array(oneOf(PRESET_IDS), PRESET_IDS.length), quick: boolean }, ['presets', 'quick']),
  'reproduce.stop': none,
  'reproduce.status': none,
};

/** The calls this module has a check for (the contract test compares them with CALL_NAMES). */
export const VALIDATED_CALLS: readonly string[] = Object.keys(CHECKS);

/** Throws LabError unless `name` is a call of the contract and `args` fits it. */
export function validateCall(name: unknown, args: unknown): CallName {
  if (typeof name !== 'string' || !(CALL_NAMES as readonly string[]).includes(name)) {
    throw new LabError('call.unknown', { call: shown(name) });
  }
  CHECKS[name as CallName](args, name);
  return name as CallName;
}
