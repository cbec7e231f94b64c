// models.import: the files a user picked arrive as bytes; they are written into a fresh
// staging folder under their plain names (validate.ts refuses anything path-like), checked
// and copied into the lab by importAnyModel (a Keras file, or a model.json and its shards),
// and the staging folder is removed either way.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ModelFileError } from '../files/model-files';
import { importAnyModel, type OpenedModel } from '../keras/open';
import type { ScaleProbe } from '../keras/build';
import type { ImportRequest } from '../shared/contract';
import { LabError } from './lab-error';

export async function importUpload(files: ImportRequest['files'], home: string, destDir: string, probe?: ScaleProbe): Promise<OpenedModel> {
  const staging = await mkdtemp(join(home, 'import-'));
  try {
    // 'wx': a name may be written once, and never through something already there.
    for (const file of files) await writeFile(join(staging, file.name), Buffer.from(file.base64, 'base64'), { flag: 'wx' });
    const model = files.find((f) => f.name.toLowerCase().endsWith('.json')) ?? files[0];
    return await importAnyModel(join(staging, model.name), destDir, probe);
  } catch (error) {
    // The user knows their files by name; the staging folder means nothing to them.
    if (error instanceof ModelFileError) throw new LabError('files.refused', { reason: error.message.replaceAll(staging + sep, '') });
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
