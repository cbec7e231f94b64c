// Loads the optional native backend (@tensorflow/tfjs-node or -gpu), which may be absent:
// its install downloads libtensorflow and fails without internet.
import * as tf from '@tensorflow/tfjs';

/** TensorFlow reads its log level once, when the library loads: 2 keeps its INFO and WARNING lines off stderr. */
export const TF_LOG_LEVEL_VAR = 'TF_CPP_MIN_LOG_LEVEL';
const QUIET_LOG_LEVEL = '2';

/**
 * Sets TensorFlow's log level unless the user set one. Call it on the main thread before the
 * library loads: a worker thread's process.env is its own copy, which TensorFlow never sees.
 */
export function quietTensorflowLogs(): void {
  process.env[TF_LOG_LEVEL_VAR] ??= QUIET_LOG_LEVEL;
}

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
  const how =
    pkg === NODE_PACKAGES.gpu
      ? `Install it with \`npm install ${pkg}\` (it needs CUDA and downloads libtensorflow)`
      : `Build it against a Python TensorFlow with \`digit-lab engine link-tensorflow [--python PATH]\`, or install it with \`npm install ${pkg}\` (it downloads libtensorflow)`;
  return { ok: false, why, error: `Cannot use the TensorFlow backend: ${why}. ${how}, or use --backend wasm.` };
}

async function load(pkg: string): Promise<NodeBackendLoad> {
  quietTensorflowLogs();
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
