// Reading a Keras model file (.keras zip, or legacy HDF5 .h5) into its config, layers and
// weights, whatever its name says: the first bytes tell the format.
import { unzipSync } from 'fflate';
import { isObject } from '../files/json-value';
import { ModelFileError } from '../files/model-json';
import { attrText, Hdf5TruncatedError, readHdf5, type H5File } from './hdf5';
import { kerasLayers, KerasConfigError, type KerasLayer } from './layers';
import { sniffFormat } from './sniff';
import { kerasZipWeights, legacyH5Weights, type Weight, type WeightSource } from './weights';

export interface KerasModelFile {
  format: 'keras' | 'h5';
  kerasVersion: string;
  keras3: boolean;
  name: string;
  layers: KerasLayer[];
  /** each layer's weights by layer name, in the layer's order */
  weights: Map<string, Weight[]>;
}

function parseConfig(text: string | undefined, file: string, where: string): unknown {
  if (text === undefined) throw new ModelFileError(file, `has no model config (${where}): it holds weights only (save_weights), not a whole model`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(file, `its model config (${where}) is not valid JSON (${(error as Error).message})`);
  }
}

function modelName(config: unknown, fallback: string): string {
  return isObject(config) && isObject(config.config) && typeof config.config.name === 'string' ? config.config.name : fallback;
}

function layersOf(config: unknown, file: string): KerasLayer[] {
  try {
    return kerasLayers(config);
  } catch (error) {
    if (error instanceof KerasConfigError) throw new ModelFileError(file, error.message);
    throw error;
  }
}

function collect(layers: KerasLayer[], source: WeightSource): Map<string, Weight[]> {
  return new Map(layers.map((layer) => [layer.name, source(layer)]));
}

async function openHdf5<T>(bytes: Uint8Array, file: string, what: string, read: (h5: H5File) => T): Promise<T> {
  try {
    return await readHdf5(bytes, read);
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    if (error instanceof Hdf5TruncatedError) throw new ModelFileError(file, `${what === 'it' ? '' : `${what}: `}${error.message}`);
    const message = error instanceof Error ? error.message : String(error);
    throw new ModelFileError(file, `${what} cannot be read as HDF5; it may be truncated or damaged (${message.split('\n')[0]})`);
  }
}

async function readZip(bytes: Uint8Array, file: string, fallbackName: string): Promise<KerasModelFile> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (entry) => ['config.json', 'metadata.json', 'model.weights.h5'].includes(entry.name) });
  } catch (error) {
    throw new ModelFileError(file, `is a zip that cannot be read; it may be truncated or damaged (${(error as Error).message})`);
  }
  const text = (name: string) => (entries[name] ? new TextDecoder().decode(entries[name]) : undefined);
  if (!entries['config.json']) throw new ModelFileError(file, 'is a zip without config.json: not a Keras 3 .keras file');
  const config = parseConfig(text('config.json'), file, 'config.json');
  const metadata = entries['metadata.json'] ? (parseConfig(text('metadata.json'), file, 'metadata.json') as Record<string, unknown>) : {};
  const kerasVersion = String(metadata.keras_version ?? '3');
  const layers = layersOf(config, file);
  const h5 = entries['model.weights.h5'];
  if (!h5) throw new ModelFileError(file, 'is a .keras zip without model.weights.h5');
  const weights = await openHdf5(h5, file, 'its model.weights.h5', (h5file) => collect(layers, kerasZipWeights(h5file)));
  return { format: 'keras', kerasVersion, keras3: true, name: modelName(config, fallbackName), layers, weights };
}

async function readLegacyH5(bytes: Uint8Array, file: string, fallbackName: string): Promise<KerasModelFile> {
  return openHdf5(bytes, file, 'it', (h5) => {
    const config = parseConfig(attrText(h5, 'model_config'), file, "the model_config attribute");
    const kerasVersion = attrText(h5, 'keras_version') ?? '2';
    const layers = layersOf(isObject(config) && 'model_config' in config ? config.model_config : config, file);
    return { format: 'h5', kerasVersion, keras3: kerasVersion.startsWith('3'), name: modelName(config, fallbackName), layers, weights: collect(layers, legacyH5Weights(h5)) };
  });
}

/** Reads a .keras or .h5 file's bytes; every problem is a ModelFileError naming the file. */
export async function readKerasFile(bytes: Uint8Array, file: string, fallbackName: string): Promise<KerasModelFile> {
  const format = sniffFormat(bytes.subarray(0, 64));
  if (format === 'lfs-pointer') throw new ModelFileError(file, 'is a Git LFS pointer, not the model file: fetch it with `git lfs pull`');
  if (format === 'keras-zip') return readZip(bytes, file, fallbackName);
  if (format === 'hdf5') return readLegacyH5(bytes, file, fallbackName);
  throw new ModelFileError(file, 'is neither a Keras .keras zip nor an HDF5 .h5 file (its first bytes are neither PK nor \\x89HDF)');
}
