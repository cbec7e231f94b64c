// Starts one of the training module's worker threads: `<name>.js` beside the bundle in a
// build; from source, `<name>.ts` through tsx, registered inside the worker (Node 20
// workers do not inherit the parent's --import loaders).
import { existsSync } from 'node:fs';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { quietTensorflowLogs } from '../engine/node-backend';

export function startWorker(name: 'worker' | 'replica-worker' | 'augment-worker', options: WorkerOptions = {}): Worker {
  quietTensorflowLogs();
  // Not a literal `new URL('./x.js', import.meta.url)`, which bundlers rewrite as an asset.
  const file = `./${name}.js`;
  const built = new URL(file, import.meta.url);
  if (existsSync(built)) return new Worker(built, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = new URL(`./${name}.ts`, import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
