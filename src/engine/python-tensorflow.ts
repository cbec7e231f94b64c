// Finds a TensorFlow 2.x wheel in a Python environment, without importing it (an import
// takes seconds and prints TensorFlow's log lines): the package folder, its version, and
// the C libraries inside it that the tfjs-node binding can link against.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The oldest TensorFlow whose C library has every TF_/TFE_ function tfjs-node 4.22 calls. */
export const MIN_TENSORFLOW = { major: 2, minor: 9 } as const;
/** Tried in this order when no --python is given. */
export const PYTHON_CANDIDATES = ['python3', 'python'];

export interface PythonTensorflow {
  python: string;
  /** the distribution that holds it, e.g. tensorflow-cpu */
  distribution: string;
  version: string;
  /** the tensorflow package folder */
  dir: string;
  include: string;
  /** libtensorflow_cc.so.2 (the C and C++ API) */
  library: string;
  /** libtensorflow_framework.so.2 */
  framework: string;
}

const PROBE = `
import importlib.util, importlib.metadata, json, sys
spec = importlib.util.find_spec('tensorflow')
found = {'python': sys.version.split()[0]}
if spec is not None and spec.submodule_search_locations:
    found['dir'] = list(spec.submodule_search_locations)[0]
    names = importlib.metadata.packages_distributions().get('tensorflow', [])
    for name in names:
        try:
            found['version'] = importlib.metadata.version(name)
            found['distribution'] = name
            break
        except importlib.metadata.PackageNotFoundError:
            pass
print(json.dumps(found))
`;

interface Probe {
  python: string;
  dir?: string;
  version?: string;
  distribution?: string;
}

function probe(python: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    execFile(python, ['-c', PROBE], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new Error(missing ? `there is no Python at "${python}"` : `"${python}" did not run as Python 3.10 or newer: ${(stderr || error.message).trim().split('\n').at(-1)}`));
      } else {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as Probe);
      }
    });
  });
}

/** "2.21.0" → [2, 21]; anything else → undefined. */
export function majorMinor(version: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function supportedTensorflow(version: string): boolean {
  const parsed = majorMinor(version);
  return parsed !== undefined && parsed[0] === MIN_TENSORFLOW.major && parsed[1] >= MIN_TENSORFLOW.minor;
}

/** The TensorFlow in `python`'s environment, checked; throws a message that says what is missing. */
export async function findPythonTensorflow(python: string): Promise<PythonTensorflow> {
  const found = await probe(python);
  const install = `install it with \`${python} -m pip install tensorflow-cpu\``;
  if (found.dir === undefined) throw new Error(`the Python at "${python}" (${found.python}) has no TensorFlow: ${install}, or name another with --python PATH`);
  const version = found.version ?? 'unknown';
  if (!supportedTensorflow(version)) {
    throw new Error(`the TensorFlow at ${found.dir} is version ${version}; the tensorflow engine needs ${MIN_TENSORFLOW.major}.${MIN_TENSORFLOW.minor} or a newer 2.x`);
  }
  const files = { include: join(found.dir, 'include'), library: join(found.dir, 'libtensorflow_cc.so.2'), framework: join(found.dir, 'libtensorflow_framework.so.2') };
  for (const [what, path] of Object.entries(files)) {
    if (!existsSync(path)) throw new Error(`TensorFlow ${version} at ${found.dir} has no ${what} (${path}): it is not a Linux wheel with its C library`);
  }
  return { python, distribution: found.distribution ?? 'tensorflow', version, dir: found.dir, ...files };
}

/** The first of `candidates` that has a usable TensorFlow; the error lists why each failed. */
export async function findAnyPythonTensorflow(candidates: string[] = PYTHON_CANDIDATES): Promise<PythonTensorflow> {
  const failures: string[] = [];
  for (const python of candidates) {
    try {
      return await findPythonTensorflow(python);
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  throw new Error(`no Python TensorFlow found (${failures.join('; ')}); name the Python of an environment that has tensorflow-cpu with --python PATH`);
}
