// Models as standard TensorFlow.js layers format: model.json + weights.bin, with the lab's
// metadata in model.json's userDefinedMetadata. Anything plain TensorFlow.js can load
// (tf.loadLayersModel over HTTP or from memory) and nothing else is written; model files
// from elsewhere (TensorFlow.js, or Keras via tensorflowjs_converter) load and import too.
import * as tf from '@tensorflow/tfjs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { INPUT_SHAPES, NUM_CLASSES } from '../shared/model-spec';
import { recoverFolder, replaceFolder, writeFileSynced } from './dir-swap';
import { nonFiniteOutput, nonFiniteWeight } from './model-finite';
import { METADATA_KEY, readLabMetadata, type LabMetadata } from './lab-metadata';
import { isObject } from './json-value';
import { MODEL_JSON, ModelFileError, readModelFiles, type ModelFiles } from './model-json';

export { MODEL_JSON, ModelFileError, type LabMetadata };
export const WEIGHTS_FILE = 'weights.bin';
/** The input shapes (batch axis left out) a 28×28 gray digit is fed as: flat, 28 steps × 28, image. */
const DIGIT_INPUTS = Object.values(INPUT_SHAPES).map((shape) => shape.join(','));

export interface SavedModel {
  dir: string;
  modelJson: string;
  weightsFile: string;
  bytes: number;
}

export interface LoadedModel {
  model: tf.LayersModel;
  metadata: LabMetadata | null;
  /** the model's input shape without the batch axis: [784], [28, 28] or [28, 28, 1] */
  inputShape: number[];
  dir: string;
}

/** Refuses to replace a folder that is not a model: saving to ~/Documents must not wipe it. */
async function checkReplaceable(target: string): Promise<void> {
  const info = await stat(target).catch(() => null);
  if (!info) return;
  const what = 'already exists and is not a model folder';
  if (!info.isDirectory()) throw new ModelFileError(target, `${what}; choose another place`);
  const names = await readdir(target);
  if (names.length > 0 && !names.includes(MODEL_JSON)) throw new ModelFileError(target, `${what} (it has no ${MODEL_JSON}); choose another place`);
}

/** Writes model.json + weights.bin into `dir`, replacing a model already there whole. */
async function writeModelFolder(dir: string, modelJson: Record<string, unknown>, weights: Uint8Array): Promise<SavedModel> {
  const target = resolve(dir);
  await checkReplaceable(target);
  let bytes = 0;
  await replaceFolder(target, async (folder) => {
    await writeFileSynced(join(folder, WEIGHTS_FILE), weights);
    // Serialized only now: metadata that cannot be written fails the save after weights.bin, and still leaves nothing behind.
    const text = JSON.stringify(modelJson);
    await writeFileSynced(join(folder, MODEL_JSON), text);
    bytes = Buffer.byteLength(text) + weights.byteLength;
  });
  return { dir: target, modelJson: join(target, MODEL_JSON), weightsFile: join(target, WEIGHTS_FILE), bytes };
}

function manifest(weightSpecs: tf.io.WeightsManifestEntry[]): tf.io.WeightsManifestConfig {
  return [{ paths: [WEIGHTS_FILE], weights: weightSpecs }];
}

/** Saves into `dir` (created if need be), replacing a model already there whole; a failed save leaves it as it was. */
export async function saveModel(model: tf.LayersModel, dir: string, metadata: LabMetadata): Promise<SavedModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts) throw new Error(`saving ${model.name}: TensorFlow.js produced nothing to save`);
  // The same fields tfjs's own file and HTTP handlers write.
  const modelJson: Record<string, unknown> = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: manifest(artifacts.weightSpecs ?? []),
    userDefinedMetadata: { [METADATA_KEY]: metadata },
  };
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  return writeModelFolder(dir, modelJson, weights);
}

function shapeText(shape: (number | null)[]): string {
  return `[${shape.map((d) => d ?? 'None').join(',')}]`;
}

/** Builds the model with TensorFlow.js and checks it reads 28×28 gray digits into 10 classes. */
async function buildChecked(files: ModelFiles): Promise<{ model: tf.LayersModel; inputShape: number[] }> {
  const { file, json, weightSpecs, weightData } = files;
  const badWeight = nonFiniteWeight(weightSpecs, weightData);
  if (badWeight) throw new ModelFileError(file, badWeight);
  let model: tf.LayersModel;
  try {
    // Without trainingConfig: the lab only predicts with it, and a Keras loss tfjs lacks must not refuse the model.
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: weightData.buffer }));
  } catch (error) {
    throw new ModelFileError(file, `TensorFlow.js cannot build it: ${error instanceof Error ? error.message : String(error)}`);
  }
  const problem = fitProblem(model) ?? (await nonFiniteOutput(model, model.inputs[0].shape.slice(1) as number[]));
  if (problem) {
    model.dispose();
    throw new ModelFileError(file, problem);
  }
  return { model, inputShape: model.inputs[0].shape.slice(1) as number[] };
}

function fitProblem(model: tf.LayersModel): string | undefined {
  if (model.inputs.length !== 1) return `it has ${model.inputs.length} inputs; the lab feeds one 28×28 gray image`;
  if (model.outputs.length !== 1) return `it has ${model.outputs.length} outputs; the lab needs one, of ${NUM_CLASSES} classes`;
  const input = model.inputs[0].shape.slice(1);
  if (!DIGIT_INPUTS.includes(input.join(','))) return `input shape ${shapeText(input)} is not 28×28 gray (784, 28×28 or 28×28×1)`;
  const output = model.outputs[0].shape.slice(1);
  if (output.length !== 1) return `output shape ${shapeText(output)} is not one score per class; the lab needs ${NUM_CLASSES} classes`;
  if (output[0] !== NUM_CLASSES) return `output has ${output[0] ?? 'None'} classes, the lab needs ${NUM_CLASSES}`;
  return undefined;
}

/** Loads a lab model or one made elsewhere, from its folder or its model.json; a problem is a ModelFileError. */
export async function loadModel(dirOrModelJson: string): Promise<LoadedModel> {
  const path = resolve(dirOrModelJson);
  // A lab model whose save was killed between its two renames is put back first.
  if (!(await stat(path).catch(() => null))) await recoverFolder(path);
  const files = await readModelFiles(path);
  const { model, inputShape } = await buildChecked(files);
  return { model, metadata: readLabMetadata(files.json.userDefinedMetadata), inputShape, dir: files.folder };
}

function importedName(file: string): string {
  const name = basename(file, '.json');
  return name === 'model' ? basename(dirname(file)) : name;
}

/**
 * Imports a model.json made elsewhere into `destDir`: checked and built first, then its
 * topology and the very bytes checked are written in the lab's layout (one weights.bin),
 * marked as imported. Quantized weights stay quantized.
 */
export async function importModel(modelJsonPath: string, destDir: string): Promise<LoadedModel> {
  const files = await readModelFiles(modelJsonPath);
  const { model, inputShape } = await buildChecked(files);
  const found = readLabMetadata(files.json.userDefinedMetadata);
  const metadata: LabMetadata = { ...(found ?? { format: 1, name: importedName(files.file), createdAt: new Date().toISOString() }), source: 'imported' };
  const userDefinedMetadata = { ...(isObject(files.json.userDefinedMetadata) ? files.json.userDefinedMetadata : {}), [METADATA_KEY]: metadata };
  try {
    const saved = await writeModelFolder(destDir, { ...files.json, weightsManifest: manifest(files.weightSpecs), userDefinedMetadata }, files.weightData);
    return { model, metadata, inputShape, dir: saved.dir };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
