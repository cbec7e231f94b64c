// Every call's argument is checked before the lab acts on it: a renderer is not trusted.
import { validateModelSpec, ModelSpecError, type ModelSpec } from '../shared/model-spec';
import { CALL_NAMES, type CallName } from '../shared/contract';

export class CallError extends Error {
  constructor(
    message: string,
    readonly layer?: number,
  ) {
    super(message);
    this.name = 'CallError';
  }
}

type Check = (value: unknown, path: string) => void;

function fail(path: string, problem: string): never {
  throw new CallError(`${path} ${problem}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function object(fields: Record<string, Check>, optional: string[] = []): Check {
  return (value, path) => {
    if (!isObject(value)) fail(path, `must be an object, got ${JSON.stringify(value)?.slice(0, 40)}`);
    for (const key of Object.keys(value)) {
      if (!(key in fields)) fail(path, `has an unknown field "${key}"`);
    }
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
  if (value !== null && value !== undefined) fail(path, 'must be empty (null)');
};

function integer(min: number, max: number): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(path, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
  };
}

function string(maxLength: number, pattern?: RegExp): Check {
  return (value, path) => {
    if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) fail(path, `must be a string of 1 to ${maxLength} characters`);
    if (pattern && !pattern.test(value)) fail(path, `has an invalid form: ${JSON.stringify(value).slice(0, 60)}`);
  };
}

function oneOf(...choices: string[]): Check {
  return (value, path) => {
    if (!choices.includes(value as string)) fail(path, `must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
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

const modelSpec: Check = (value, path) => {
  if (!isObject(value)) fail(path, 'must be a model description');
  try {
    validateModelSpec(value as unknown as ModelSpec);
  } catch (error) {
    if (error instanceof ModelSpecError) throw new CallError(`${path}: ${error.message}`, error.layer >= 0 ? error.layer : undefined);
    throw error;
  }
};

const RUN_ID = string(100, /^[A-Za-z0-9_-]+$/);
/** A file the user picked: a plain name, never a path. */
const FILE_NAME = string(200, /^(?!\.)[A-Za-z0-9 ._()-]+$/);
const MAX_IMPORT_FILES = 32;
const MAX_BASE64 = 280 * 2 ** 20;
const SPLIT = oneOf('train', 'test');
const BACKEND = oneOf('auto', 'tensorflow', 'tensorflow-gpu', 'wasm', 'cpu');
const URL_CHECK = string(500, /^https?:\/\/[^\s]+$/);

const CHECKS: Record<CallName, Check> = {
  'engine.info': none,
  'data.status': none,
  'data.download': object({ mirrors: array(URL_CHECK, 10) }, ['mirrors']),
  'data.cancelDownload': none,
  'data.samples': object({ split: SPLIT, label: integer(0, 9), offset: integer(0, 60000), count: integer(1, 500) }, ['label']),
  'data.image': object({ split: SPLIT, index: integer(0, 59999) }),
  'models.presets': none,
  'models.summary': object({ spec: modelSpec }),
  'train.start': object({ spec: modelSpec, limit: integer(1, 60000), seed: integer(0, 2 ** 31 - 1) }, ['limit', 'seed']),
  'train.pause': none,
  'train.resume': none,
  'train.stop': none,
  'train.status': none,
  'runs.list': none,
  'runs.get': object({ runId: RUN_ID }),
  'runs.delete': object({ runId: RUN_ID }),
  'runs.evaluation': object({ runId: RUN_ID }),
  'models.export': object({ runId: RUN_ID }),
  'models.import': object(
    { files: array(object({ name: FILE_NAME, base64: string(MAX_BASE64, /^[A-Za-z0-9+/=]*$/) }), MAX_IMPORT_FILES), name: string(100) },
    ['name'],
  ),
  predict: object({ model: string(100, /^[A-Za-z0-9_-]+$/), input: numbers(784, 0, 1) }),
  'settings.get': none,
  'settings.set': object(
    { language: oneOf('system', 'en', 'zh-Hant', 'zh-Hans'), theme: oneOf('system', 'light', 'dark'), backend: BACKEND, mirrors: array(URL_CHECK, 10) },
    ['language', 'theme', 'backend', 'mirrors'],
  ),
};

/** Throws CallError unless `name` is a call of the contract and `args` fits it. */
export function validateCall(name: unknown, args: unknown): CallName {
  if (typeof name !== 'string' || !(CALL_NAMES as readonly string[]).includes(name)) {
    throw new CallError(`unknown call ${JSON.stringify(name)?.slice(0, 60)}`);
  }
  CHECKS[name as CallName](args, name);
  return name as CallName;
}

export const VALIDATED_CALLS = Object.keys(CHECKS);
