// Trained models as standard TensorFlow.js layers format: model.json + weights.bin,
// with the lab's metadata in model.json's userDefinedMetadata.
// Files from elsewhere are untrusted: sizes, paths and the weights manifest are checked
// before tfjs sees them, and every failure is a ModelFileError naming the file.
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ModelSpec } from '../shared/model-spec';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
const MAX_MODEL_JSON_BYTES = 10 * 2 ** 20;
const MAX_WEIGHTS_BYTES = 200 * 2 ** 20;
const MAX_WEIGHT_ELEMENTS = 1e8;
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };
/** The input shapes (batch axis left out) a 28×28 gray digit fits. */
const DIGIT_INPUTS = ['784', '28,28', '28,28,1'];
const METADATA_KEY = 'digitLab';

export interface LabMetadata {
  format: 1;
  name: string;
  createdAt: string;
  source?: 'trained' | 'imported';
  spec?: ModelSpec;
  history?: Record<string, number[]>;
  evaluation?: unknown;
  backend?: string;
  datasetSha256?: Record<string, string>;
}

export interface SavedModel {
  dir: string;
  modelJson: string;
  weightsFile: string;
  bytes: number;
}

export interface LoadedModel {
  model: tf.LayersModel;
  metadata: LabMetadata | null;
  /** the model's input shape without the batch axis */
  inputShape: number[];
  dir: string;
}

export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ModelFileError';
  }
}

function tempName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/**
 * Saves into `dir`, replacing a model already there whole: the files are written to a
 * temp folder beside it and swapped in by rename, so a crash never leaves half a model.
 */
export async function saveModel(model: tf.LayersModel, dir: string, metadata: LabMetadata): Promise<SavedModel> {
  const target = resolve(dir);
  await mkdir(dirname(target), { recursive: true });
  const temp = tempName(target);
  let saved: SavedModel | undefined;
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
        const modelJson = {
          modelTopology: artifacts.modelTopology,
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
          convertedBy: null,
          weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
          userDefinedMetadata: { [METADATA_KEY]: metadata },
        };
        const text = JSON.stringify(modelJson);
        await mkdir(temp, { recursive: true });
        await writeFile(join(temp, MODEL_JSON), text);
        await writeFile(join(temp, WEIGHTS_FILE), weights);
        saved = { dir: target, modelJson: join(target, MODEL_JSON), weightsFile: join(target, WEIGHTS_FILE), bytes: text.length + weights.byteLength };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const old = tempName(target);
    const hadOld = await stat(target).then(() => true, () => false);
    if (hadOld) await rename(target, old);
    await rename(temp, target);
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return saved!;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A weight file must be a plain name inside the model's folder. */
function weightPath(folder: string, name: unknown, file: string): string {
  if (typeof name !== 'string' || name === '' || /^[a-z]+:/i.test(name) || name.includes('\0')) {
    throw new ModelFileError(file, `weight path ${JSON.stringify(name)} is not a file name`);
  }
  const path = resolve(folder, name);
  if (!path.startsWith(folder + sep) || name.includes('..')) {
    throw new ModelFileError(file, `weight path ${JSON.stringify(name)} leaves the model's folder`);
  }
  return path;
}

function weightBytes(spec: WeightSpec, file: string): number {
  if (!isObject(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.shape)) {
    throw new ModelFileError(file, `a weight entry is malformed: ${JSON.stringify(spec).slice(0, 100)}`);
  }
  let elements = 1;
  for (const dim of spec.shape) {
    if (!Number.isInteger(dim) || dim < 0) throw new ModelFileError(file, `weight ${spec.name} has shape [${spec.shape}]: dimensions must be whole numbers ≥ 0`);
    elements *= dim;
  }
  if (elements > MAX_WEIGHT_ELEMENTS) throw new ModelFileError(file, `weight ${spec.name} has shape [${spec.shape}], more than ${MAX_WEIGHT_ELEMENTS} values`);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = DTYPE_BYTES[dtype];
  if (size === undefined) throw new ModelFileError(file, `weight ${spec.name} has unsupported dtype ${JSON.stringify(dtype)}`);
  return elements * size;
}

async function readLimited(path: string, limit: number, file: string, what: string): Promise<Uint8Array> {
  const info = await stat(path).catch(() => null);
  if (!info || !info.isFile()) throw new ModelFileError(file, `${what} ${basename(path)} is missing`);
  if (info.size > limit) throw new ModelFileError(file, `${what} ${basename(path)} is ${info.size} bytes, over the ${limit}-byte limit`);
  return new Uint8Array(await readFile(path));
}

function modelJsonPath(dirOrModelJson: string): string {
  const path = resolve(dirOrModelJson);
  return path.endsWith('.json') ? path : join(path, MODEL_JSON);
}

function readMetadata(json: Record<string, unknown>): LabMetadata | null {
  const user = json.userDefinedMetadata;
  if (!isObject(user)) return null;
  const lab = user[METADATA_KEY];
  return isObject(lab) && lab.format === 1 ? (lab as unknown as LabMetadata) : null;
}

/** Loads a lab model or one made elsewhere (TensorFlow.js, or Keras via tensorflowjs_converter). */
export async function loadModel(dirOrModelJson: string): Promise<LoadedModel> {
  const file = modelJsonPath(dirOrModelJson);
  const folder = dirname(file);
  const text = new TextDecoder().decode(await readLimited(file, MAX_MODEL_JSON_BYTES, file, 'the model file'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(file, `is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(json)) throw new ModelFileError(file, 'is not a TensorFlow.js model (a JSON object is expected)');
  if (!isObject(json.modelTopology)) throw new ModelFileError(file, 'has no modelTopology: it is not a TensorFlow.js layers model');
  if (!Array.isArray(json.weightsManifest)) throw new ModelFileError(file, 'has no weightsManifest');

  const weightSpecs: WeightSpec[] = [];
  const shards: Uint8Array[] = [];
  let expected = 0;
  for (const group of json.weightsManifest as ManifestGroup[]) {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFileError(file, 'weightsManifest entries need paths and weights');
    }
    for (const spec of group.weights) {
      expected += weightBytes(spec, file);
      weightSpecs.push(spec);
    }
    if (expected > MAX_WEIGHTS_BYTES) throw new ModelFileError(file, `weights total more than the ${MAX_WEIGHTS_BYTES}-byte limit`);
    for (const name of group.paths) shards.push(await readLimited(weightPath(folder, name, file), MAX_WEIGHTS_BYTES, file, 'weight file'));
  }
  const actual = shards.reduce((sum, shard) => sum + shard.byteLength, 0);
  if (actual !== expected) {
    throw new ModelFileError(file, `the weights manifest describes ${expected} bytes but the weight files hold ${actual}`);
  }
  const weightData = new Uint8Array(actual);
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.byteLength;
  }

  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: weightSpecs as tf.io.WeightsManifestEntry[], weightData: weightData.buffer }),
    );
  } catch (error) {
    throw new ModelFileError(file, `TensorFlow.js cannot build it: ${(error as Error).message}`);
  }
  const inputShape = (model.inputs[0]?.shape ?? []).slice(1) as number[];
  const outputShape = (model.outputs[0]?.shape ?? []).slice(1) as number[];
  if (model.inputs.length !== 1 || !DIGIT_INPUTS.includes(inputShape.join(','))) {
    model.dispose();
    throw new ModelFileError(file, `input shape [${inputShape}] is not 28×28 gray (784, 28×28 or 28×28×1)`);
  }
  if (model.outputs.length !== 1 || outputShape.join(',') !== '10') {
    model.dispose();
    throw new ModelFileError(file, `output shape [${outputShape}] does not give the 10 digit classes the lab needs`);
  }
  return { model, metadata: readMetadata(json), inputShape, dir: folder };
}

/**
 * Imports a model.json made elsewhere: validated by loading it, then saved into destDir
 * in the lab's own layout (one weights.bin), marked as imported.
 */
export async function importModel(modelJsonPath: string, destDir: string): Promise<LoadedModel> {
  const loaded = await loadModel(modelJsonPath);
  const metadata: LabMetadata = {
    ...(loaded.metadata ?? { format: 1, name: basename(dirname(resolve(modelJsonPath))), createdAt: new Date().toISOString() }),
    source: 'imported',
  };
  await saveModel(loaded.model, destDir, metadata);
  return { ...loaded, metadata, dir: resolve(destDir) };
}
