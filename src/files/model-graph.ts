// A model.json's layer graph, checked before TensorFlow.js builds it: tfjs waits for every layer's
// inputs to appear, so a node naming a missing layer, a cycle or an out-of-range node index makes
// it loop forever. Each function returns the problem, naming the layer, or undefined.
import { isObject } from './json-value';

/** Far deeper than any real topology (about ten levels); a 200,000-deep file must not reach a recursive reader. */
export const MAX_JSON_DEPTH = 100;
const OPEN = [0x5b, 0x7b]; // [ {
const CLOSE = [0x5d, 0x7d]; // ] }
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** The classes whose config holds a graph of layers (a nested model is a layer too). */
const FUNCTIONAL = ['Model', 'Functional'];
const MODELS = [...FUNCTIONAL, 'Sequential'];

/** The nesting depth of JSON text, counted on its bytes, before anything parses it. */
export function jsonDepthProblem(bytes: Uint8Array): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (OPEN.includes(b)) {
      if (++depth > MAX_JSON_DEPTH) return `nests deeper than ${MAX_JSON_DEPTH} levels; a model.json is far shallower`;
    } else if (CLOSE.includes(b)) depth--;
  }
  return undefined;
}

const shown = (value: unknown) => JSON.stringify(value)?.slice(0, 60) ?? String(value);

/** A reference to one output of one node of a layer: [layer name, node index, tensor index, kwargs?]. */
function refProblem(ref: unknown, nodeCounts: Map<string, number>, where: string): string | undefined {
  if (!Array.isArray(ref) || ref.length < 3) return `${where}: ${shown(ref)} is not a [layer, node, tensor] reference`;
  const [name, node, tensor] = ref;
  if (typeof name !== 'string' || !nodeCounts.has(name)) return `${where} names layer ${shown(name)}, which the model does not have`;
  const count = nodeCounts.get(name)!;
  if (!Number.isInteger(node) || node < 0 || node >= count) return `${where} asks for node ${shown(node)} of layer ${name}, which has ${count}`;
  if (!Number.isInteger(tensor) || tensor < 0) return `${where} asks for output ${shown(tensor)} of layer ${name}`;
  return undefined;
}

/** Layer names, their node counts, and each node's inputs, or the problem with them. */
function readNodes(layers: unknown[]): { nodes: Map<string, unknown[][]>; counts: Map<string, number> } | string {
  const nodes = new Map<string, unknown[][]>();
  const counts = new Map<string, number>();
  for (const [i, layer] of layers.entries()) {
    if (!isObject(layer) || typeof layer.name !== 'string' || layer.name === '' || typeof layer.class_name !== 'string') {
      return `layer ${i} has no name or class_name`;
    }
    if (nodes.has(layer.name)) return `layer ${layer.name} appears twice`;
    const inbound = layer.inbound_nodes ?? [];
    if (!Array.isArray(inbound) || !inbound.every((node) => Array.isArray(node))) {
      return `layer ${layer.name}: inbound_nodes must be a list of nodes, each a list of [layer, node, tensor] references`;
    }
    nodes.set(layer.name, inbound as unknown[][]);
    // An input layer has its one node without inbound ones.
    counts.set(layer.name, layer.class_name === 'InputLayer' ? Math.max(1, inbound.length) : inbound.length);
  }
  return { nodes, counts };
}

/** The first cycle found among nodes, as the layer it passes through, by an iterative depth-first walk. */
function cycleThrough(nodes: Map<string, unknown[][]>): string | undefined {
  const done = new Set<string>();
  const onPath = new Set<string>();
  const key = (name: string, node: number) => `${node}\u0000${name}`;
  for (const [name, inbound] of nodes) {
    for (let start = 0; start < inbound.length; start++) {
      if (done.has(key(name, start))) continue;
      const stack: { name: string; node: number; next: number }[] = [{ name, node: start, next: 0 }];
      onPath.add(key(name, start));
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const refs = nodes.get(top.name)![top.node] ?? [];
        if (top.next >= refs.length) {
          stack.pop();
          onPath.delete(key(top.name, top.node));
          done.add(key(top.name, top.node));
          continue;
        }
        const [to, node] = refs[top.next++] as [string, number];
        const next = key(to, node);
        if (onPath.has(next)) return to;
        if (!done.has(next)) {
          onPath.add(next);
          stack.push({ name: to, node, next: 0 });
        }
      }
    }
  }
  return undefined;
}

function functionalProblem(config: Record<string, unknown>, where: string): string | undefined {
  if (!Array.isArray(config.layers)) return `${where}has no list of layers`;
  const read = readNodes(config.layers);
  if (typeof read === 'string') return where + read;
  const { nodes, counts } = read;
  for (const [name, inbound] of nodes) {
    for (const [k, node] of inbound.entries()) {
      for (const ref of node) {
        const problem = refProblem(ref, counts, `layer ${name}, inbound node ${k}`);
        if (problem) return where + problem;
      }
    }
  }
  for (const key of ['input_layers', 'output_layers']) {
    const refs = config[key];
    if (!Array.isArray(refs) || refs.length === 0) return `${where}${key} must list the model's ${key.split('_')[0]}s`;
    for (const ref of refs) {
      const problem = refProblem(ref, counts, key);
      if (problem) return where + problem;
    }
  }
  const cycle = cycleThrough(nodes);
  if (cycle) return `${where}layer ${cycle} is part of a cycle: a layer's output feeds back into its own input`;
  return undefined;
}

/** The whole topology's graph, nested models included; undefined when it can be built without waiting forever. */
export function graphProblem(topology: Record<string, unknown>): string | undefined {
  const pending: { model: Record<string, unknown>; where: string }[] = [{ model: topology, where: '' }];
  while (pending.length > 0) {
    const { model, where } = pending.pop()!;
    const className = model.class_name;
    if (!MODELS.includes(className as string)) continue;
    // A Sequential's config is its list of layers, or holds it.
    const config = Array.isArray(model.config) ? { layers: model.config } : model.config;
    if (!isObject(config) || !Array.isArray(config.layers)) return `${where}${String(className)} has no list of layers`;
    if (FUNCTIONAL.includes(className as string)) {
      const problem = functionalProblem(config, where);
      if (problem) return problem;
    }
    for (const layer of config.layers) {
      if (isObject(layer) && MODELS.includes(layer.class_name as string)) {
        const name = isObject(layer.config) && typeof layer.config.name === 'string' ? layer.config.name : String(layer.name);
        pending.push({ model: layer, where: `${where}in nested model ${name}: ` });
      }
    }
  }
  return undefined;
}
