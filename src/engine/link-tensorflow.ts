// `digit-lab engine link-tensorflow`: builds @tensorflow/tfjs-node's binding against the C
// library inside a Python TensorFlow wheel, because its own install downloads libtensorflow
// from storage that is often unreachable. The binding lives in node_modules, so `npm ci`
// removes it: link again after one.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic, tempSibling } from '../files/atomic';
import { NODE_PACKAGES } from './node-backend';
import { findAnyPythonTensorflow, findPythonTensorflow, type PythonTensorflow } from './python-tensorflow';

export const LINK_COMMAND = 'digit-lab engine link-tensorflow';
/** Written into tfjs-node's deps/ once the binding is built and loads. */
export const LINK_RECORD = 'linked.json';
const SUPPORTED = ['linux-x64', 'linux-arm64'];
const BUILD_TIMEOUT_MS = 10 * 60 * 1000;

export interface LinkRecord {
  python: string;
  distribution: string;
  tensorflow: string;
  dir: string;
  /** the version the built binding reports (TF_Version) */
  loaded: string;
  linkedAt: string;
}

export interface LinkOptions {
  /** the Python whose TensorFlow to link; default: the first of python3, python that has one */
  python?: string;
  onProgress?: (line: string) => void;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 2 ** 20, timeout: options.timeout ?? 60_000, ...options }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-12).join('\n');
        reject(Object.assign(new Error(missing ? `${command} is not installed` : tail || error.message), { missing }));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** The folder of the lab's own package.json, where npm installs tfjs-node. */
export function labRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'digit-lab') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the lab\'s package.json above its code');
    dir = parent;
  }
}

/** tfjs-node's package folder in the lab's node_modules, or undefined where it is not installed. */
export function nodePackageDir(root = labRoot()): string | undefined {
  try {
    return dirname(createRequire(join(root, 'package.json')).resolve(`${NODE_PACKAGES.cpu}/package.json`));
  } catch {
    return undefined;
  }
}

/** What the last link recorded, if the binding was linked by this command. */
export function linkRecord(root = labRoot()): LinkRecord | undefined {
  const dir = nodePackageDir(root);
  const path = dir && join(dir, 'deps', LINK_RECORD);
  return path && existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as LinkRecord) : undefined;
}

function nodeHeaders(): string {
  const prefix = dirname(dirname(process.execPath));
  if (!existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
    throw new Error(`Node's C headers are not in ${join(prefix, 'include', 'node')}: install a Node build that ships them (the official tarballs and nodesource packages do)`);
  }
  return prefix;
}

async function checkToolchain(): Promise<void> {
  for (const tool of ['c++', 'make']) {
    await run(tool, ['--version']).catch(() => {
      throw new Error(`no C++ toolchain: ${tool} is missing (on Debian or Ubuntu: apt-get install g++ make)`);
    });
  }
}

async function installPackage(root: string, say: (line: string) => void): Promise<string> {
  const existing = nodePackageDir(root);
  if (existing) return existing;
  say(`installing ${NODE_PACKAGES.cpu}@${tf.version.tfjs} without its download script`);
  const spec = `${NODE_PACKAGES.cpu}@${tf.version.tfjs}`;
  await run('npm', ['install', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund', spec], { cwd: root, timeout: BUILD_TIMEOUT_MS }).catch((error: Error & { missing?: boolean }) => {
    throw new Error(error.missing ? `npm is not on PATH: it is needed to install ${spec}` : `npm could not install ${spec}: ${error.message}`);
  });
  const dir = nodePackageDir(root);
  if (!dir) throw new Error(`npm ran, but ${NODE_PACKAGES.cpu} is still not in ${join(root, 'node_modules')}`);
  return dir;
}

/** deps/ as the binding expects it, every library a link into the wheel; swapped in whole. */
async function layOutDeps(packageDir: string, found: PythonTensorflow): Promise<void> {
  const deps = join(packageDir, 'deps');
  const temp = tempSibling(deps);
  try {
    await mkdir(join(temp, 'lib'), { recursive: true });
    await symlink(found.include, join(temp, 'include'));
    // The linker asks for libtensorflow.so; the binding then records libtensorflow_cc.so.2, the wheel's soname.
    for (const name of ['libtensorflow.so', 'libtensorflow.so.2', 'libtensorflow_cc.so.2']) await symlink(found.library, join(temp, 'lib', name));
    for (const name of ['libtensorflow_framework.so', 'libtensorflow_framework.so.2']) await symlink(found.framework, join(temp, 'lib', name));
    await rm(deps, { recursive: true, force: true });
    await rename(temp, deps);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Loads the built binding in a fresh process: an undefined TF_ symbol fails here, not in the lab. */
async function loadedVersion(root: string): Promise<string> {
  const script = `process.env.TF_CPP_MIN_LOG_LEVEL='2';const tf=require('${NODE_PACKAGES.cpu}');process.stdout.write(tf.backend().binding.TF_Version)`;
  return run(process.execPath, ['-e', script], { cwd: root }).catch((error: Error) => {
    throw new Error(`the binding was built but does not load: ${error.message}`);
  });
}

export async function linkTensorflow(options: LinkOptions = {}): Promise<LinkRecord> {
  const say = options.onProgress ?? (() => {});
  const platform = `${process.platform}-${process.arch}`;
  if (!SUPPORTED.includes(platform)) {
    throw new Error(`linking against a Python TensorFlow works on ${SUPPORTED.join(' and ')}, not ${platform}; there, \`npm install ${NODE_PACKAGES.cpu}\` downloads a prebuilt binding`);
  }
  const root = labRoot();
  say(options.python ? `looking for TensorFlow in ${options.python}` : 'looking for a Python with TensorFlow (python3, python)');
  const found = options.python ? await findPythonTensorflow(options.python) : await findAnyPythonTensorflow();
  say(`found ${found.distribution} ${found.version} at ${found.dir}`);
  const nodedir = nodeHeaders();
  await checkToolchain();
  const packageDir = await installPackage(root, say);
  say(`linking ${join(packageDir, 'deps')} to its C library`);
  await layOutDeps(packageDir, found);
  say('building the binding (node-pre-gyp --build-from-source)');
  const started = performance.now();
  const preGyp = createRequire(join(packageDir, 'package.json')).resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  await run(process.execPath, [preGyp, 'install', '--build-from-source'], {
    cwd: packageDir,
    timeout: BUILD_TIMEOUT_MS,
    // npm_config_python: node-gyp's own scripts run on the Python that was found
    env: { ...process.env, npm_config_nodedir: nodedir, npm_config_python: found.python, npm_config_jobs: 'max' },
  }).catch((error: Error) => {
    throw new Error(`the binding did not build:\n${error.message}`);
  });
  say(`built in ${((performance.now() - started) / 1000).toFixed(1)} s; loading it`);
  const loaded = await loadedVersion(root);
  const record: LinkRecord = { python: found.python, distribution: found.distribution, tensorflow: found.version, dir: found.dir, loaded, linkedAt: new Date().toISOString() };
  await writeFileAtomic(join(packageDir, 'deps', LINK_RECORD), JSON.stringify(record, null, 2) + '\n');
  say(`linked: ${NODE_PACKAGES.cpu} runs on TensorFlow ${loaded}`);
  return record;
}
