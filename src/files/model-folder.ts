// Which .json in a model's folder is the model: model.json, or else the folder's one
// TensorFlow.js model saved under another name (tensorflowjs_converter users name theirs).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isObject } from './json-value';
import { MODEL_JSON, ModelFileError } from './model-json';

/** Larger .json files are not looked into; a model.json this large is refused anyway. */
const MAX_JSON_BYTES = 10 * 2 ** 20;

async function isTfjsModel(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile() || info.size > MAX_JSON_BYTES) return false;
  try {
    const json: unknown = JSON.parse(await readFile(path, 'utf8'));
    return isObject(json) && isObject(json.modelTopology) && Array.isArray(json.weightsManifest);
  } catch {
    return false;
  }
}

const listed = (names: string[]) => names.map((n) => JSON.stringify(n)).join(', ');

/** The model's .json in `folder`: model.json when it is there, else the one TF.js model .json; more or none is a ModelFileError naming them. */
export async function modelJsonIn(folder: string): Promise<string> {
  const standard = join(folder, MODEL_JSON);
  if (await stat(standard).catch(() => null)) return standard;
  const names = (await readdir(folder).catch(() => [] as string[])).filter((n) => n.toLowerCase().endsWith('.json')).sort();
  if (names.length === 0) return standard;
  const models: string[] = [];
  for (const name of names) if (await isTfjsModel(join(folder, name))) models.push(name);
  if (models.length === 1) return join(folder, models[0]);
  if (models.length > 1) {
    throw new ModelFileError(folder, `has no ${MODEL_JSON} but ${models.length} TensorFlow.js models (${listed(models)}); give the path of the one to load`);
  }
  throw new ModelFileError(folder, `has no ${MODEL_JSON}, and ${listed(names)} ${names.length === 1 ? 'is not a TensorFlow.js model' : 'are not TensorFlow.js models'} (no modelTopology and weightsManifest)`);
}
