// Reading a model.json and its weight files, which may come from anywhere: sizes, paths and
// the weights manifest are checked before TensorFlow.js sees a byte of them.
import type * as tf from '@tensorflow/tfjs';
import { open, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { isObject } from './json-value';
import { graphProblem, jsonDepthProblem } from './model-graph';
import { paramsProblem } from './model-params';
import { modelJsonIn } from './model-folder';

export const MODEL_JSON = 'model.json';
const MB = 2 ** 20;
const MAX_MODEL_JSON_BYTES = 10 * MB;
const MAX_WEIGHTS_BYTES = 200 * MB;
const MAX_WEIGHT_ELEMENTS = 1e8;
/** Bytes per value as stored; a quantized weight is stored in its quantization dtype. */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
/** 'http:', 'file:', 'data:' and Windows drives ('C:') alike */
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

export class ModelFileError extends Error {
  constructor(
    /** the model.json (or, when saving, the folder) the problem is in */
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ModelFileError';
  }
}

export type ModelJson = Record<string, unknown> & { modelTopology: Record<string, unknown> };

export interface ModelFiles {
  /** the model.json's absolute path */
  file: string;
  folder: string;
  json: ModelJson;
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** every shard's bytes, concatenated in manifest order */
  weightData: Uint8Array<ArrayBuffer>;
}

function megabytes(bytes: number): string {
  return `${bytes / MB} MB`;
}

/** A folder means its model.json (or its one TF.js model .json); a file, or a missing path ending in .json, is the model.json itself. */
async function modelJsonPath(dirOrModelJson: string): Promise<string> {
  const path = resolve(dirOrModelJson);
  const info = await stat(path).catch(() => null);
  const folder = info ? info.isDirectory() : !path.endsWith('.json');
  return folder ? modelJsonIn(path) : path;
}

/** Reads `size` bytes of a file into `into`; a file that shrank since its stat is refused. */
async function readFileChecked(path: string, size: number, into: Uint8Array, file: string, what: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(into, filled, size - filled, null);
      if (bytesRead === 0) throw new ModelFileError(file, `${what} shrank while it was being read`);
      filled += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

async function fileSize(path: string, file: string, what: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new ModelFileError(file, `${what} is missing`);
  // A FIFO or device would hang or never end; only plain files are read.
  if (!info.isFile()) throw new ModelFileError(file, `${what} is not a regular file`);
  return info.size;
}

function parseJson(bytes: Uint8Array, file: string): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ModelFileError(file, `is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(json)) throw new ModelFileError(file, 'is not a TensorFlow.js model: a JSON object is expected');
  if (typeof json.format === 'string' && json.format !== 'layers-model') {
    throw new ModelFileError(file, `is a ${json.format}, not a layers-model: the lab loads Keras-style layers models`);
  }
  if (!isObject(json.modelTopology)) throw new ModelFileError(file, 'has no modelTopology: it is not a TensorFlow.js layers model');
  if (!Array.isArray(json.weightsManifest)) throw new ModelFileError(file, 'has no weightsManifest');
  return json as ModelJson;
}

/** A weight path must name a file inside the model's folder, as tensorflowjs_converter writes them. */
function weightPath(folder: string, name: unknown, file: string): string {
  if (typeof name !== 'string' || name === '' || name.includes('\0') || SCHEME.test(name)) {
    throw new ModelFileError(file, `weight path ${JSON.stringify(name)} is not a file name`);
  }
  // Both separators: a backslash is one on Windows.
  const escapes = isAbsolute(name) || /^[\\/]/.test(name) || name.split(/[\\/]/).includes('..');
  const path = resolve(folder, name);
  if (escapes || !path.startsWith(folder + sep)) {
    throw new ModelFileError(file, `weight path ${JSON.stringify(name)} leaves the model's folder`);
  }
  return path;
}

function shapeText(shape: unknown): string {
  return JSON.stringify(shape)?.slice(0, 80) ?? String(shape);
}

/** The bytes one manifest entry takes in the shards. */
function weightBytes(spec: unknown, file: string): number {
  if (!isObject(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.shape)) {
    throw new ModelFileError(file, `a weights manifest entry is malformed: ${shapeText(spec)}`);
  }
  const { name, shape, dtype, quantization } = spec;
  let elements = 1;
  for (const dim of shape) {
    if (!Number.isInteger(dim) || dim < 0) {
      throw new ModelFileError(file, `weight ${name} has shape ${shapeText(shape)}: dimensions must be whole numbers ≥ 0`);
    }
    elements *= dim as number;
  }
  if (elements > MAX_WEIGHT_ELEMENTS) {
    throw new ModelFileError(file, `weight ${name} has shape ${shapeText(shape)}, more than ${MAX_WEIGHT_ELEMENTS} values`);
  }
  if (quantization !== undefined) {
    const stored = isObject(quantization) ? QUANTIZED_BYTES[quantization.dtype as string] : undefined;
    if (stored === undefined) throw new ModelFileError(file, `weight ${name} has unsupported quantization ${shapeText(quantization)}`);
    return elements * stored;
  }
  const size = DTYPE_BYTES[dtype as string];
  if (size === undefined) throw new ModelFileError(file, `weight ${name} has unsupported dtype ${JSON.stringify(dtype)}`);
  return elements * size;
}

interface Shard {
  path: string;
  name: string;
  size: number;
}

/** Every shard named in the manifest, checked to be a file inside the folder, and the bytes the manifest expects. */
async function manifestShards(json: ModelJson, folder: string, file: string): Promise<{ shards: Shard[]; weightSpecs: tf.io.WeightsManifestEntry[]; expected: number }> {
  const realFolder = await realpath(folder);
  const shards: Shard[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  let expected = 0;
  for (const group of json.weightsManifest as unknown[]) {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFileError(file, 'every weightsManifest entry needs paths and weights');
    }
    for (const spec of group.weights) {
      expected += weightBytes(spec, file);
      weightSpecs.push(spec as tf.io.WeightsManifestEntry);
    }
    if (expected > MAX_WEIGHTS_BYTES) {
      throw new ModelFileError(file, `the weights manifest describes more than the ${megabytes(MAX_WEIGHTS_BYTES)} limit of weights`);
    }
    for (const name of group.paths) {
      const path = weightPath(folder, name, file);
      const what = `weight file ${name}`;
      const size = await fileSize(path, file, what);
      // The name stays inside; a symlink must too.
      if (!(await realpath(path)).startsWith(realFolder + sep)) throw new ModelFileError(file, `${what} links outside the model's folder`);
      shards.push({ path, name: name as string, size });
    }
  }
  return { shards, weightSpecs, expected };
}

/** Reads and checks a model.json and its shards; every problem is a ModelFileError naming the model.json. */
export async function readModelFiles(dirOrModelJson: string): Promise<ModelFiles> {
  const file = await modelJsonPath(dirOrModelJson);
  const folder = dirname(file);
  const what = `the model file ${basename(file)}`;
  const jsonSize = await fileSize(file, file, what);
  if (jsonSize > MAX_MODEL_JSON_BYTES) {
    throw new ModelFileError(file, `is ${jsonSize} bytes, over the ${megabytes(MAX_MODEL_JSON_BYTES)} limit for a model.json`);
  }
  const jsonBytes = new Uint8Array(jsonSize);
  await readFileChecked(file, jsonSize, jsonBytes, file, what);
  const tooDeep = jsonDepthProblem(jsonBytes);
  if (tooDeep) throw new ModelFileError(file, tooDeep);
  const json = parseJson(jsonBytes, file);
  const graph = graphProblem(json.modelTopology);
  if (graph) throw new ModelFileError(file, graph);

  const { shards, weightSpecs, expected } = await manifestShards(json, folder, file);
  // Before any layer is built: tfjs initialises every weight before it looks at the ones given.
  const params = paramsProblem(json.modelTopology, weightSpecs);
  if (params) throw new ModelFileError(file, params);
  const actual = shards.reduce((sum, shard) => sum + shard.size, 0);
  if (actual !== expected) {
    throw new ModelFileError(file, `the weights manifest describes ${expected} bytes but the weight files hold ${actual}`);
  }
  const weightData = new Uint8Array(actual);
  let offset = 0;
  for (const shard of shards) {
    await readFileChecked(shard.path, shard.size, weightData.subarray(offset), file, `weight file ${shard.name}`);
    offset += shard.size;
  }
  return { file, folder, json, weightSpecs, weightData };
}
