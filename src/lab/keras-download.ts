// models.exportKeras: a run's model as one Keras file for the Runs view to save.
import { ModelFileError } from '../files/model-files';
import { kerasFileOf } from '../keras/export-file';
import type { KerasFile, KerasFileFormat } from '../shared/contract';
import { LabError } from './lab-error';

export async function kerasDownload(modelDir: string, format: KerasFileFormat): Promise<KerasFile> {
  try {
    const { name, bytes } = await kerasFileOf(modelDir, format);
    const fileName = `${name.replace(/[^\p{L}\p{N}_.-]+/gu, '_') || 'model'}.${format}`;
    return { fileName, base64: Buffer.from(bytes).toString('base64') };
  } catch (error) {
    // The user knows the run, not the lab's folder for it.
    if (error instanceof ModelFileError) throw new LabError('files.refused', { reason: error.message.replace(`${modelDir}: `, '') });
    throw error;
  }
}
