// A renderer module with runes ($state, $derived), as the browser runs it: its TypeScript
// stripped by esbuild, then compiled by Svelte for the client, then imported in Node.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transform } from 'esbuild';
import { compileModule } from 'svelte/compiler';

/** Imports a .svelte.ts file that has only type imports of its own (which esbuild removes). */
export async function importSvelteModule<T>(file: string): Promise<T> {
  const { code: js } = await transform(await readFile(file, 'utf8'), { loader: 'ts', format: 'esm' });
  const compiled = compileModule(js, { filename: file, generate: 'client' }).js.code;
  const linked = compiled.replace(/from ['"](svelte[^'"]*)['"]/g, (_, specifier: string) => `from '${import.meta.resolve(specifier)}'`);
  if (/from ['"]\./.test(linked)) throw new Error(`${file} imports a relative module at run time; only type imports are supported here`);
  const out = join(await mkdtemp(join(tmpdir(), 'digit-lab-svelte-')), 'module.mjs');
  await writeFile(out, linked);
  return (await import(pathToFileURL(out).href)) as T;
}
