// models.import: the files a user picked arrive as bytes; they are written into a fresh
// staging folder under their plain names (validate.ts refuses anything path-like), checked
// and copied into the lab by importModel, and the staging folder is removed either way.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { importModel, ModelFileError, type LoadedModel } from '../files/model-files';
import type { ImportRequest } from '../shared/contract';
import { LabError } from './lab-error';

export async function importUpload(files: ImportRequest['files'], home: string, destDir: string): Promise<LoadedModel> {
  const staging = await mkdtemp(join(home, 'import-'));
  try {
    // 'wx': a name may be written once, and never through something already there.
    for (const file of files) await writeFile(join(staging, file.name), Buffer.from(file.base64, 'base64'), { flag: 'wx' });
    const modelJson = files.find((f) => f.name.toLowerCase().endsWith('.json'))!;
    return await importModel(join(staging, modelJson.name), destDir);
  } catch (error) {
    // The user knows their files by name; the staging folder means nothing to them.
    if (error instanceof ModelFileError) throw new LabError('files.refused', { reason: error.message.replaceAll(staging + sep, '') });
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
