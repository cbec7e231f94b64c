// What the lab keeps about a model, in model.json's userDefinedMetadata. A model.json may
// come from anywhere, so what is read back is checked field by field.
import { validateModelSpec, type ModelSpec } from '../shared/model-spec';
import { isObject } from './json-value';

export const METADATA_KEY = 'digitLab';

export interface LabMetadata {
  format: 1;
  name: string;
  createdAt: string;
  source?: 'trained' | 'imported';
  spec?: ModelSpec;
  /** Keras History: metric name → one value per epoch */
  history?: Record<string, number[]>;
  evaluation?: unknown;
  backend?: string;
  datasetSha256?: Record<string, string>;
  /** for a model imported from Keras: what the lab did to run it (skipped layers, added softmax, input scale) */
  notes?: string[];
}

function validSpec(value: unknown): ModelSpec | undefined {
  try {
    validateModelSpec(value as ModelSpec);
    return value as ModelSpec;
  } catch {
    return undefined;
  }
}

/** JSON writes NaN (a diverged loss) as null; it is read back as NaN. */
function history(value: unknown): Record<string, number[]> | undefined {
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value);
  if (!entries.every(([, values]) => Array.isArray(values) && values.every((v) => v === null || typeof v === 'number'))) return undefined;
  return Object.fromEntries(entries.map(([key, values]) => [key, (values as (number | null)[]).map((v) => v ?? NaN)]));
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string') ? (value as Record<string, string>) : undefined;
}

/** The lab's metadata from a userDefinedMetadata, or null when it has none (or not in format 1); malformed optional fields are dropped. */
export function readLabMetadata(userDefinedMetadata: unknown): LabMetadata | null {
  const value = isObject(userDefinedMetadata) ? userDefinedMetadata[METADATA_KEY] : undefined;
  if (!isObject(value) || value.format !== 1 || typeof value.name !== 'string' || typeof value.createdAt !== 'string') return null;
  const metadata: LabMetadata = { format: 1, name: value.name, createdAt: value.createdAt };
  if (value.source === 'trained' || value.source === 'imported') metadata.source = value.source;
  const spec = validSpec(value.spec);
  if (spec) metadata.spec = spec;
  const epochs = history(value.history);
  if (epochs) metadata.history = epochs;
  if (value.evaluation !== undefined) metadata.evaluation = value.evaluation;
  if (typeof value.backend === 'string') metadata.backend = value.backend;
  const sha = stringRecord(value.datasetSha256);
  if (sha) metadata.datasetSha256 = sha;
  if (Array.isArray(value.notes) && value.notes.every((note) => typeof note === 'string')) metadata.notes = value.notes;
  return metadata;
}
