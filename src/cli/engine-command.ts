import { BACKEND_OPTION, type Command } from './command';
import { BACKEND_CHOICES as BACKENDS } from '../shared/backends';
import { choiceFlag, print } from './output';
import { UsageError } from './errors';
import { describeEngines } from '../engine/engines';
import type { EnginesReport } from '../shared/contract';
import { linkTensorflow } from '../engine/link-tensorflow';
import { choosePython } from '../engine/keras-engine';

const JOBS = { train: 'training', evaluate: 'evaluate, predict (batches)', paint: 'paint pad, one image' } as const;

function table(report: EnginesReport): string {
  return [
    'engines:',
    ...report.engines.map((e) => `  ${e.backend.padEnd(11)} ${(e.available ? 'available' : 'missing').padEnd(10)} ${e.detail}`),
    `with --backend ${report.choice}:`,
    ...report.jobs.map((j) => `  ${JOBS[j.job].padEnd(28)} ${j.backend.padEnd(11)} ${j.why}`),
  ].join('\n');
}

export const engineCommand: Command = {
  name: 'engine',
  usage: 'engine [link-tensorflow] [--python PATH]',
  summary: 'the engines this install has and which one each job uses; link-tensorflow builds the native one',
  help: `  link-tensorflow  build @tensorflow/tfjs-node against the TensorFlow C library in a Python
                   TensorFlow 2.x wheel (Linux; needs g++ and make). npm ci removes it: link again after one
  --python PATH    the Python whose TensorFlow to link (default: python3, then python, on PATH);
                   without link-tensorflow: the Python whose Keras the keras engine would use (default python3)
  --backend B      show the jobs for this backend setting (default auto)
`,
  options: { python: { type: 'string' }, ...BACKEND_OPTION },
  async run(values, positionals) {
    const json = values.json as boolean | undefined;
    const [action, ...rest] = positionals;
    if (rest.length > 0 || (action !== undefined && action !== 'link-tensorflow')) {
      throw new UsageError(`engine: unknown action "${positionals.join(' ')}"; the action is link-tensorflow`);
    }
    if (action === 'link-tensorflow') {
      const record = await linkTensorflow({
        python: values.python as string | undefined,
        onProgress: (line) => {
          if (!json) process.stderr.write(`  ${line}\n`);
        },
      });
      print(json, record, () => `tensorflow engine linked to ${record.distribution} ${record.tensorflow} (${record.dir}); \`digit-lab engine\` shows which jobs use it`);
      return;
    }
    const report = await describeEngines(choiceFlag(values.backend, 'backend', BACKENDS) ?? 'auto', choosePython(values.python as string | undefined));
    print(json, report, () => table(report));
  },
};
