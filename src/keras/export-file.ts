// `digit-lab export` and the Runs view's export menu: a saved model written as a Keras
// .keras or .h5 file, or as a TF.js folder (model.json + weights.bin).
import { writeFileAtomic } from '../files/atomic';
import { loadModel, ModelFileError, saveModel } from '../files/model-files';
import { kerasFileBytes, KerasExportError, type KerasFormat } from './export';

export const EXPORT_FORMATS = ['keras', 'h5', 'tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The bytes of a saved model (its folder) as a Keras file; a layer Keras cannot take is a ModelFileError. */
export async function kerasFileOf(modelDir: string, format: KerasFormat): Promise<{ name: string; bytes: Uint8Array }> {
  const loaded = await loadModel(modelDir);
  try {
    const name = loaded.metadata?.name ?? loaded.model.name;
    return { name, bytes: await kerasFileBytes(loaded.model, format, name) };
  } catch (error) {
    if (error instanceof KerasExportError) throw new ModelFileError(modelDir, `cannot be written for Keras: ${error.message}`);
    throw error;
  } finally {
    loaded.model.dispose();
  }
}

/** Writes the model in `modelDir` to `out` (a file, or a folder for tfjs); returns what was written. */
export async function exportModelFile(modelDir: string, format: ExportFormat, out: string): Promise<{ path: string; bytes: number }> {
  if (format === 'tfjs') {
    const loaded = await loadModel(modelDir);
    try {
      const metadata = loaded.metadata ?? { format: 1 as const, name: loaded.model.name, createdAt: new Date().toISOString() };
      const saved = await saveModel(loaded.model, out, metadata);
      return { path: saved.dir, bytes: saved.bytes };
    } finally {
      loaded.model.dispose();
    }
  }
  const { bytes } = await kerasFileOf(modelDir, format);
  await writeFileAtomic(out, bytes);
  return { path: out, bytes: bytes.byteLength };
}
