// Loads the optional native backend (@tensorflow/tfjs-node or -gpu), which may be absent:
// its install downloads libtensorflow and fails without internet.
import * as tf from '@tensorflow/tfjs';

export const NODE_PACKAGES = { cpu: '@tensorflow/tfjs-node', gpu: '@tensorflow/tfjs-node-gpu' } as const;

const MODULE_NOT_FOUND_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

export type NodeBackendLoad =
  | { ok: true }
  /** why: a short clause for a reason line; error: the full message with an install hint */
  | { ok: false; why: string; error: string };

const attempts = new Map<string, Promise<NodeBackendLoad>>();

function describeFailure(pkg: string, cause: unknown): NodeBackendLoad {
  const message = cause instanceof Error ? cause.message : String(cause);
  const firstLine = message.split('\n')[0];
  const code = (cause as { code?: unknown } | null)?.code;
  const missing = typeof code === 'string' && MODULE_NOT_FOUND_CODES.has(code) && message.includes(`'${pkg}'`);
  // "not installed" says it all; the resolver's message would only add a path from this install
  const why = missing ? `${pkg} is not installed` : `${pkg} failed to load (${firstLine})`;
  const install = `npm install ${pkg}`;
  const needs = pkg === NODE_PACKAGES.gpu ? 'it needs CUDA and downloads libtensorflow' : 'it downloads libtensorflow';
  return {
    ok: false,
    why,
    error: `Cannot use the TensorFlow backend: ${why}. Install it with \`${install}\` (${needs}), or use --backend wasm.`,
  };
}

async function load(pkg: string): Promise<NodeBackendLoad> {
  try {
    // A string variable keeps TypeScript and bundlers from requiring the absent module.
    await import(/* @vite-ignore */ pkg);
    return { ok: true };
  } catch (cause) {
    return describeFailure(pkg, cause);
  }
}

/** Imports tfjs-node (or -gpu), which registers the 'tensorflow' backend. Never throws. */
export function loadNodeBackend(gpu: boolean): Promise<NodeBackendLoad> {
  const pkg = gpu ? NODE_PACKAGES.gpu : NODE_PACKAGES.cpu;
  let attempt = attempts.get(pkg);
  if (attempt === undefined) {
    attempt = load(pkg);
    attempts.set(pkg, attempt);
  }
  return attempt;
}

/** The libtensorflow version behind the active 'tensorflow' backend, if it says. */
export function libtensorflowVersion(): string | undefined {
  const binding = (tf.backend() as { binding?: { TF_Version?: unknown } }).binding;
  return typeof binding?.TF_Version === 'string' ? binding.TF_Version : undefined;
}
