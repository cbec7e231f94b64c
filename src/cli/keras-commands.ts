// `digit-lab import` and `digit-lab export`: Keras and TF.js models into the lab's runs, and back out.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { UsageError } from './errors';
import { BACKEND_OPTION, type Command } from './command';
import { BACKEND_CHOICES as BACKENDS } from '../shared/backends';
import { initEngine } from '../engine/backend';
import { choiceFlag, print } from './output';
import { createLabService } from '../lab/service';
import { labHome } from '../files/lab-home';
import { EXPORT_FORMATS, exportModelFile } from '../keras/export-file';
import { formatAccuracy } from '../shared/training';
import type { RunSummary } from '../shared/contract';

/** A file is imported alone; a folder gives its model.json and weight shards. */
async function importFiles(path: string): Promise<{ name: string; base64: string }[]> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new UsageError(`${path} does not exist`);
  const paths = info.isDirectory()
    ? (await readdir(path)).filter((name) => name.endsWith('.json') || name.endsWith('.bin')).map((name) => join(path, name))
    : [path];
  return Promise.all(paths.map(async (file) => ({ name: basename(file), base64: (await readFile(file)).toString('base64') })));
}

export const importCommand: Command = {
  name: 'import',
  usage: 'import <file|dir> [--name NAME]',
  summary: "a Keras .keras/.h5 or TF.js model into the lab's runs, evaluated on the test set",
  help: 'Opens Keras 3 .keras files, Keras 2 / tf.keras / Keras 3 .h5 files and TF.js layers models (converted from Keras 2 or 3).\nThe run is listed in the Runs view and can be evaluated, compared and used in Paint.\n',
  options: { name: { type: 'string' } },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('import takes one model file or folder');
    const path = resolve(positionals[0]);
    const files = await importFiles(path);
    // Named after what the user gave, not the staging copy the lab reads it from.
    const name = typeof values.name === 'string' ? values.name : basename(path, extname(path));
    const service = await createLabService({ home: labHome() });
    try {
      const args = { files, name: name.slice(0, 100) };
      const run = (await service.call('models.import', args)) as RunSummary;
      print(values.json as boolean, run, () =>
        [`imported as run ${run.runId} (${run.name}): accuracy = ${formatAccuracy(run.accuracy ?? 0)} on the 10,000 test images`, ...(run.notes ?? []).map((note) => `  ${note}`)].join('\n'),
      );
    } finally {
      await service.close();
    }
  },
};

export const exportCommand: Command = {
  name: 'export',
  usage: 'export <run> --format F --out PATH',
  help: '<run> is a run id (its folder under the lab\'s models) or a model folder; F is keras (Keras 3 .keras), h5 (Keras HDF5) or tfjs (model.json + weights.bin).\n',
  summary: 'a run\'s model as a Keras .keras or .h5 file (keras.models.load_model opens it), or a TF.js folder',
  options: { format: { type: 'string' }, out: { type: 'string' }, ...BACKEND_OPTION },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('export takes one run id (see the Runs view or report.json) or model folder');
    const format = choiceFlag(values.format, 'format', EXPORT_FORMATS);
    if (!format) throw new UsageError('export needs --format keras, h5 or tfjs');
    if (typeof values.out !== 'string') throw new UsageError('export needs --out PATH');
    const given = resolve(positionals[0]);
    const runDir = join(labHome(), 'models', positionals[0]);
    const modelDir = (await stat(given).catch(() => null)) ? given : runDir;
    if (modelDir === runDir && !(await stat(runDir).catch(() => null))) {
      throw new UsageError(`${positionals[0]} is neither a model folder nor a run in ${join(labHome(), 'models')}`);
    }
    await initEngine(choiceFlag(values.backend, 'backend', BACKENDS) ?? 'auto');
    const written = await exportModelFile(modelDir, format, resolve(values.out));
    print(values.json as boolean, { format, ...written }, () => `wrote ${written.path} (${format}, ${written.bytes} bytes)`);
  },
};
