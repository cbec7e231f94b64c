// Any model the lab opens from outside, by what it is: a Keras .keras or .h5 file, a TF.js
// model converted from Keras 3, or a TF.js layers model (Keras 2 conversions, the lab's own).
import * as tf from '@tensorflow/tfjs';
import { open, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { importModel, loadModel, saveModel, type LoadedModel } from '../files/model-files';
import { isObject } from '../files/json-value';
import { ModelFileError, readModelFiles, type ModelFiles } from '../files/model-json';
import { buildKerasModel, type KerasModel, type KerasParts, type ScaleProbe } from './build';
import { kerasLayers, KerasConfigError } from './layers';
import { readKerasFile } from './read';
import { namedWeights, type Weight } from './weights';

const MAX_KERAS_BYTES = 210 * 2 ** 20;

export interface OpenedModel extends LoadedModel {
  /** what the lab did to run it: skipped layers, an added softmax, the input scale it chose */
  notes: string[];
}

/** A model folder or model.json (TF.js), or else one Keras file. */
async function isTfjs(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return info ? info.isDirectory() || path.endsWith('.json') : !/\.(keras|h5|hdf5)$/i.test(path);
}

async function readFileBytes(path: string): Promise<Uint8Array> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new ModelFileError(path, 'does not exist');
  if (!info.isFile()) throw new ModelFileError(path, 'is not a regular file');
  if (info.size > MAX_KERAS_BYTES) throw new ModelFileError(path, `is ${info.size} bytes, over the ${MAX_KERAS_BYTES / 2 ** 20} MB a model may be`);
  const bytes = new Uint8Array(info.size);
  const handle = await open(path, 'r');
  try {
    let filled = 0;
    while (filled < info.size) {
      const { bytesRead } = await handle.read(bytes, filled, info.size - filled, null);
      if (bytesRead === 0) throw new ModelFileError(path, 'shrank while it was being read');
      filled += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return bytes;
}

/** A TF.js model.json that tensorflowjs_converter wrote from Keras 3: TF.js cannot load it as it is. */
function fromKeras3(files: ModelFiles): boolean {
  const topology = files.json.modelTopology;
  return String(topology.keras_version ?? '').startsWith('3') || /^keras v3/.test(String(files.json.generatedBy ?? ''));
}

function keras3Parts(files: ModelFiles): KerasParts {
  const topology = files.json.modelTopology;
  const config = isObject(topology.model_config) ? topology.model_config : topology;
  let layers;
  try {
    layers = kerasLayers(config);
  } catch (error) {
    if (error instanceof KerasConfigError) throw new ModelFileError(files.file, error.message);
    throw error;
  }
  const tensors = tf.io.decodeWeights(files.weightData.buffer, files.weightSpecs);
  const all: Weight[] = Object.entries(tensors).map(([name, tensor]) => ({ name, shape: tensor.shape, values: Float32Array.from(tensor.dataSync()) }));
  tf.dispose(Object.values(tensors));
  const source = namedWeights(all);
  const name = isObject(config) && isObject(config.config) && typeof config.config.name === 'string' ? config.config.name : 'keras_model';
  return { keras3: true, name, layers, weights: new Map(layers.map((layer) => [layer.name, source(layer)])) };
}

function opened(built: KerasModel, dir: string): OpenedModel {
  return { model: built.model, metadata: null, inputShape: built.inputShape, dir, notes: built.notes };
}

/** Opens a model from outside for evaluate and predict; `probe` lets a Keras model's input scale be chosen. */
export async function openAnyModel(pathIn: string, probe?: ScaleProbe): Promise<OpenedModel> {
  const path = resolve(pathIn);
  if (await isTfjs(path)) {
    const files = await readModelFiles(path).catch(async (error) => {
      // a lab folder mid-save is put back by loadModel; anything else is the error it is
      if (error instanceof ModelFileError) return null;
      throw error;
    });
    if (files && fromKeras3(files)) return opened(await buildKerasModel(keras3Parts(files), files.file, probe), files.folder);
    return { ...(await loadModel(path)), notes: [] };
  }
  const file = await readKerasFile(await readFileBytes(path), path, basename(path, extname(path)));
  return opened(await buildKerasModel(file, path, probe), path);
}

/** Imports any model from outside into `destDir` in the lab's layout, marked as imported. */
export async function importAnyModel(pathIn: string, destDir: string, probe?: ScaleProbe): Promise<OpenedModel> {
  const path = resolve(pathIn);
  if (await isTfjs(path)) {
    const files = await readModelFiles(path);
    if (!fromKeras3(files)) return { ...(await importModel(path, destDir)), notes: [] };
  }
  const built = await openAnyModel(path, probe);
  const name = basename(path, extname(path)) === 'model' ? basename(resolve(path, '..')) : basename(path, extname(path));
  const metadata = { format: 1 as const, name, createdAt: new Date().toISOString(), source: 'imported' as const, notes: built.notes };
  try {
    const saved = await saveModel(built.model, destDir, metadata);
    return { ...built, metadata, dir: saved.dir };
  } catch (error) {
    built.model.dispose();
    throw error;
  }
}
