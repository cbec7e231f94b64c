// A Keras model config (Keras 2 or 3; Sequential, nested Sequential, or a Functional chain)
// as the plain list of layers it runs, each with where Keras 3's .keras file keeps its weights.
import { isObject } from '../files/json-value';

export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
  /** the layer's group in a Keras 3 .keras weights file: layers/<snake_case class>[_n], nested */
  weightsPath: string;
}

export class KerasConfigError extends Error {}

/** Keras 3's naming.to_snake_case. */
export function snakeCase(className: string): string {
  const plain = className.replace(/\W+/g, '');
  return plain
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function layerList(value: unknown, where: string): Record<string, unknown>[] {
  if (!Array.isArray(value) || !value.every(isObject)) throw new KerasConfigError(`${where} has no list of layers`);
  return value;
}

function layerName(layer: Record<string, unknown>): string {
  const config = isObject(layer.config) ? layer.config : {};
  return String(config.name ?? layer.name ?? '?');
}

/** The layer names a Functional layer's first inbound node reads, in Keras 2 or Keras 3 form. */
function inboundNames(layer: Record<string, unknown>): string[] {
  const nodes = Array.isArray(layer.inbound_nodes) ? layer.inbound_nodes : [];
  if (nodes.length === 0) return [];
  if (nodes.length > 1) throw new KerasConfigError(`layer '${layerName(layer)}' is called more than once; the lab runs a chain of layers`);
  const node = nodes[0] as unknown;
  if (Array.isArray(node)) return node.map((entry) => String((entry as unknown[])[0]));
  const names: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isObject(value)) {
      if (value.class_name === '__keras_tensor__' && isObject(value.config) && Array.isArray(value.config.keras_history)) {
        names.push(String(value.config.keras_history[0]));
      } else Object.values(value).forEach(visit);
    }
  };
  visit(isObject(node) ? node.args : node);
  return names;
}

/** A Functional model's layers, checked to be a chain: each reads the one before it. */
function functionalChain(config: Record<string, unknown>): Record<string, unknown>[] {
  const layers = layerList(config.layers, 'the Functional model');
  layers.forEach((layer, i) => {
    if (i === 0) return;
    const inputs = inboundNames(layer);
    const previous = layerName(layers[i - 1]);
    if (inputs.length !== 1 || inputs[0] !== previous) {
      throw new KerasConfigError(
        `layer '${layerName(layer)}' reads ${inputs.length === 0 ? 'no layer' : inputs.map((n) => `'${n}'`).join(', ')}, not the layer before it ('${previous}'); the lab runs a chain of layers with one input and one output`,
      );
    }
  });
  return layers;
}

const CONTAINERS = new Set(['Sequential', 'Functional', 'Model']);

function flatten(layers: Record<string, unknown>[], prefix: string, out: KerasLayer[]): void {
  const used = new Map<string, number>();
  for (const layer of layers) {
    const className = String(layer.class_name ?? '?');
    const snake = snakeCase(className);
    const n = used.has(snake) ? used.get(snake)! + 1 : 0;
    used.set(snake, n);
    const weightsPath = `${prefix}/layers/${n === 0 ? snake : `${snake}_${n}`}`;
    const config = isObject(layer.config) ? layer.config : {};
    if (CONTAINERS.has(className)) {
      const inner = className === 'Sequential' ? layerList(config.layers, `nested model '${layerName(layer)}'`) : functionalChain(config);
      flatten(inner, weightsPath, out);
    } else {
      out.push({ className, name: layerName(layer), config, weightsPath });
    }
  }
}

/** The model's layers in the order they run; Keras 2.0's bare list of layers is a Sequential. */
export function kerasLayers(modelConfig: unknown): KerasLayer[] {
  const top = Array.isArray(modelConfig) ? { class_name: 'Sequential', config: { layers: modelConfig } } : modelConfig;
  if (!isObject(top) || typeof top.class_name !== 'string') throw new KerasConfigError('the model config is not a Keras model');
  const out: KerasLayer[] = [];
  flatten([top], '', out);
  // The model itself is the outermost container: its layers sit at layers/…, not layers/sequential/layers/….
  const strip = `/layers/${snakeCase(top.class_name)}`;
  if (!CONTAINERS.has(top.class_name)) throw new KerasConfigError(`the model config is a ${top.class_name}, not a Sequential or Functional model`);
  return out.map((layer) => ({ ...layer, weightsPath: layer.weightsPath.slice(strip.length + 1) }));
}
