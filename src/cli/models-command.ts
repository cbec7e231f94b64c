import { UsageError } from './errors';
import type { Command } from './command';
import { print } from './output';
import { PRESETS } from '../shared/presets';
import { modelSpecFor, RECIPES } from '../shared/recipes';
import { countParams, formatCount, inferLayers, summary } from '../shared/model-spec';
import { formatAccuracy } from '../shared/training';

export const modelsCommand: Command = {
  name: 'models',
  usage: 'models',
  summary: "the seed presets (layers, params, optimizer, epochs × batch), then the lab's own recipes",
  options: {},
  async run(values) {
    const rows = PRESETS.map((p) => ({
      id: p.id,
      title: p.title,
      seed: p.seed,
      params: countParams(inferLayers(p.spec)),
      optimizer: p.spec.optimizer,
      epochs: p.spec.epochs,
      batchSize: p.spec.batchSize,
      validation: p.spec.validation,
      seedAccuracy: p.seedAccuracy ?? null,
    }));
    const recipes = RECIPES.map((r) => ({ id: r.id, title: r.title, preset: r.preset, changes: r.changes, labRecipe: true, measured: r.measured }));
    print(values.json as boolean, [...rows, ...recipes], () =>
      [
        'preset             params  optimizer  epochs×batch  validation  seed accuracy',
        ...rows.map((r) => {
          const validation = r.validation.kind === 'split' ? `split ${r.validation.fraction}` : r.validation.kind;
          return `${r.id.padEnd(16)} ${formatCount(r.params).padStart(8)}  ${r.optimizer.padEnd(9)}  ${`${r.epochs}×${r.batchSize}`.padEnd(12)}  ${validation.padEnd(10)}  ${r.seedAccuracy === null ? '—' : formatAccuracy(r.seedAccuracy)}`;
        }),
        '',
        "The lab's own recipes (not the seeds'): `digit-lab train <recipe>`",
        ...recipes.map(
          (r) =>
            `${r.id.padEnd(18)} ${r.preset}: ${r.changes}\n${' '.repeat(19)}measured here: ${formatAccuracy(r.measured.mnist)} of the test set, ${formatAccuracy(r.measured.drawings)} of the lab's real drawings, ${Math.round(r.measured.seconds)} s of training (on a busy machine)`,
        ),
      ].join('\n'),
    );
  },
};

export const summaryCommand: Command = {
  name: 'summary',
  usage: 'summary <preset|recipe>',
  summary: "a preset's Keras model.summary()",
  options: {},
  async run(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('summary takes one preset id, e.g. `digit-lab summary cnn-16-36`');
    const spec = modelSpecFor(positionals[0]);
    const layers = inferLayers(spec);
    print(values.json as boolean, { preset: positionals[0], layers, totalParams: countParams(layers) }, () => summary(spec));
  },
};
