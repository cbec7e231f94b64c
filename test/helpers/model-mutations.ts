// Mutations of real saved models (model.json + weights.bin), as a fuzzer or an unlucky
// download would make them, each with what the lab must do with it.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededUniform } from '../../src/models/random';

export type Expect = 'refuse' | 'either' | 'load';

export interface Mutation {
  name: string;
  expect: Expect;
  /** what the refusal must say, when the case is about one check */
  says?: RegExp;
  json: string;
  weights: Uint8Array;
  /** extra files (symlinks) the case needs in its folder */
  setup?: (dir: string) => Promise<void>;
}

export interface BaseModel {
  name: string;
  json: Record<string, unknown>;
  weights: Uint8Array;
}

type Json = Record<string, any>;

const clone = (value: unknown): Json => structuredClone(value) as Json;
const layersOf = (json: Json): Json[] => json.modelTopology.config.layers;
const specsOf = (json: Json): Json[] => json.weightsManifest[0].weights;

function floats(bytes: Uint8Array, edit: (values: Float32Array) => void): Uint8Array {
  const copy = bytes.slice();
  edit(new Float32Array(copy.buffer, 0, copy.byteLength >> 2));
  return copy;
}

/** ~30 mutations of any base model; `random` picks positions. */
function common(base: BaseModel, random: () => number): Mutation[] {
  const out: Mutation[] = [];
  const text = JSON.stringify(base.json);
  const add = (name: string, expect: Expect, json: Json | string, weights = base.weights, says?: RegExp, setup?: Mutation['setup']) =>
    out.push({ name: `${base.name}-${name}`, expect, json: typeof json === 'string' ? json : JSON.stringify(json), weights, says, setup });

  add('as-saved', 'load', base.json);
  for (const key of ['modelTopology', 'weightsManifest']) {
    const json = clone(base.json);
    delete json[key];
    add(`no-${key}`, 'refuse', json);
    for (const [kind, value] of [['number', 1], ['string', 'x'], ['null', null], ['list', [1]]] as const) add(`${key}-is-${kind}`, 'refuse', { ...clone(base.json), [key]: value });
  }
  add('format-graph-model', 'refuse', { ...clone(base.json), format: 'graph-model' });
  add('no-user-metadata', 'load', { ...clone(base.json), userDefinedMetadata: undefined });
  for (const shape of [[-1, 10], [1e9, 1e9], [1.5], ['16'], null]) {
    const json = clone(base.json);
    specsOf(json)[0].shape = shape;
    add(`shape-${JSON.stringify(shape)}`, 'refuse', json);
  }
  const wrongDtype = clone(base.json);
  specsOf(wrongDtype)[0].dtype = 'complex64';
  add('dtype-complex64', 'refuse', wrongDtype);
  const renamed = clone(base.json);
  specsOf(renamed)[0].name = 'nothing/kernel';
  add('weight-renamed', 'refuse', renamed);
  for (const path of ['..', '../weights.bin', '/etc/passwd', 'C:\\weights.bin', 'http://127.0.0.1:1/weights.bin', 'file:///etc/passwd', 'data:,1', 'sub/../../weights.bin', '', 'missing.bin']) {
    const json = clone(base.json);
    json.weightsManifest[0].paths = [path];
    add(`path-${path.replace(/[^\w]/g, '_')}`, 'refuse', json);
  }
  const linked = clone(base.json);
  linked.weightsManifest[0].paths = ['linked.bin'];
  add('path-symlink-outside', 'refuse', linked, base.weights, /links outside/, (dir) => symlink(join(dir, '..', `${base.name}-as-saved`, 'weights.bin'), join(dir, 'linked.bin')));
  const device = clone(base.json);
  device.weightsManifest[0].paths = ['zero.bin'];
  add('path-symlink-dev-zero', 'refuse', device, base.weights, undefined, (dir) => symlink('/dev/zero', join(dir, 'zero.bin')));
  const folder = clone(base.json);
  folder.weightsManifest[0].paths = ['shard'];
  add('path-is-folder', 'refuse', folder, base.weights, undefined, (dir) => mkdir(join(dir, 'shard')));
  add('weights-short', 'refuse', base.json, base.weights.subarray(0, base.weights.length - 4), /describes \d+ bytes but the weight files hold/);
  add('weights-long', 'refuse', base.json, new Uint8Array([...base.weights, 0, 0, 0, 0]));
  add('weights-empty', 'refuse', base.json, new Uint8Array(0));
  add('weights-nan', 'refuse', base.json, floats(base.weights, (v) => (v[Math.floor(random() * v.length)] = NaN)), /holds a value that is not finite \(NaN\)/);
  add('weights-inf', 'refuse', base.json, floats(base.weights, (v) => (v[v.length - 1] = -Infinity)), /not finite \(-Infinity\)/);
  add('weights-huge', 'refuse', base.json, floats(base.weights, (v) => v.fill(3e38)), /is not finite/);
  add('weights-random-bytes', 'refuse', base.json, Uint8Array.from(base.weights, () => Math.floor(random() * 256)), /not finite/);
  add('json-empty', 'refuse', '');
  add('json-binary', 'refuse', String.fromCharCode(...Array.from({ length: 200 }, () => Math.floor(random() * 256))));
  add('json-list', 'refuse', '[]');
  for (let i = 0; i < 4; i++) add(`json-cut-${i}`, 'refuse', text.slice(0, Math.floor(random() * text.length)), base.weights, /is not valid JSON/);
  for (const depth of [101, 5000, 200_000]) {
    add(`deep-${depth}`, 'refuse', `{"modelTopology":${'['.repeat(depth)}${']'.repeat(depth)}}`, base.weights, /nests deeper than 100 levels/);
  }
  const deepMetadata = clone(base.json);
  add('deep-metadata', 'refuse', JSON.stringify(deepMetadata).replace(/}$/, `,"x":${'{"a":'.repeat(150)}1${'}'.repeat(150)}}`), base.weights, /nests deeper/);
  for (let i = 0; i < 4; i++) {
    const chars = [...text];
    chars[Math.floor(random() * chars.length)] = String.fromCharCode(32 + Math.floor(random() * 90));
    add(`json-flip-${i}`, 'either', chars.join(''));
  }
  return out;
}

/** Mutations of the layers themselves: classes, sizes, activations. */
function layerMutations(base: BaseModel): Mutation[] {
  const out: Mutation[] = [];
  const add = (name: string, expect: Expect, json: Json, says?: RegExp) => out.push({ name: `${base.name}-${name}`, expect, json: JSON.stringify(json), weights: base.weights, says });
  const layers = layersOf(base.json);
  layers.forEach((layer: Json, i: number) => {
    const unknown = clone(base.json);
    layersOf(unknown)[i].class_name = 'NoSuchLayer';
    add(`layer-${i}-unknown-class`, 'refuse', unknown);
    const noClass = clone(base.json);
    delete layersOf(noClass)[i].class_name;
    add(`layer-${i}-no-class`, 'refuse', noClass);
    for (const key of ['units', 'filters']) {
      if (!(key in layer.config)) continue;
      for (const value of [1_000_000, 0, -5, 2.5, '16', null]) {
        const json = clone(base.json);
        layersOf(json)[i].config[key] = value;
        add(`layer-${i}-${key}-${value}`, 'refuse', json, value === 1_000_000 ? /declare [\d,]+ parameters \(layer \w+ alone/ : undefined);
      }
    }
    if ('kernel_size' in layer.config) {
      for (const value of [[1000, 1000], [0, 0], [-3, 5]]) {
        const json = clone(base.json);
        layersOf(json)[i].config.kernel_size = value;
        add(`layer-${i}-kernel-${value.join('x')}`, 'refuse', json);
      }
    }
    if ('activation' in layer.config) {
      const json = clone(base.json);
      layersOf(json)[i].config.activation = 'no_such_activation';
      add(`layer-${i}-activation-unknown`, 'refuse', json);
    }
  });
  const wideInput = clone(base.json);
  layersOf(wideInput)[0].config.batch_input_shape = [null, 100000, 100000, 1];
  add('input-100000x100000', 'refuse', wideInput);
  return out;
}

/** Graph errors in a functional model: missing layers, cycles, node and tensor indices out of range. */
function graphMutations(base: BaseModel): Mutation[] {
  const out: Mutation[] = [];
  const add = (name: string, json: Json, says: RegExp) => out.push({ name: `${base.name}-${name}`, expect: 'refuse', json: JSON.stringify(json), weights: base.weights, says });
  const names = layersOf(base.json).map((layer: Json) => layer.name as string);
  const last = names.length - 1;
  const missing = clone(base.json);
  layersOf(missing)[last].inbound_nodes[0][0][0] = 'no_such_layer';
  add('graph-missing-layer', missing, /names layer "no_such_layer", which the model does not have/);
  const cycle = clone(base.json);
  layersOf(cycle)[1].inbound_nodes[0][0][0] = names[last];
  add('graph-cycle', cycle, /is part of a cycle/);
  const self = clone(base.json);
  layersOf(self)[1].inbound_nodes[0][0][0] = names[1];
  add('graph-self-loop', self, /is part of a cycle/);
  for (const index of [1, 7, -1, 1.5]) {
    const json = clone(base.json);
    layersOf(json)[last].inbound_nodes[0][0][1] = index;
    add(`graph-node-index-${index}`, json, new RegExp(`asks for node ${index} of layer ${names[last - 1]}`));
  }
  const tensor = clone(base.json);
  layersOf(tensor)[last].inbound_nodes[0][0][2] = -2;
  add('graph-tensor-index', tensor, /asks for output -2/);
  const output = clone(base.json);
  output.modelTopology.config.output_layers = [['ghost', 0, 0]];
  add('graph-output-missing', output, /output_layers names layer "ghost"/);
  const noInputs = clone(base.json);
  noInputs.modelTopology.config.input_layers = [];
  add('graph-no-inputs', noInputs, /input_layers must list/);
  const twice = clone(base.json);
  layersOf(twice)[1].name = names[2];
  add('graph-name-twice', twice, /appears twice/);
  const notList = clone(base.json);
  layersOf(notList)[last].inbound_nodes = [{ args: [] }];
  add('graph-node-not-list', notList, /inbound_nodes must be a list/);
  const ref = clone(base.json);
  layersOf(ref)[last].inbound_nodes[0][0] = 'dense';
  add('graph-ref-not-list', ref, /is not a \[layer, node, tensor\] reference/);
  const nested = clone(base.json);
  nested.modelTopology = { class_name: 'Sequential', config: { name: 'outer', layers: [clone(missing.modelTopology)] } };
  add('graph-nested-missing', nested, /in nested model .*names layer "no_such_layer"/);
  return out;
}

/** Every mutation of the bases, at least 150; `extra` adds that many random json flips per base. */
export function mutations(bases: { sequential: BaseModel[]; functional: BaseModel }, extra = 0): Mutation[] {
  const random = seededUniform(2024);
  const all = [...bases.sequential, bases.functional].flatMap((base) => [...common(base, random), ...layerMutations(base)]);
  all.push(...graphMutations(bases.functional));
  for (const base of [...bases.sequential, bases.functional]) {
    const text = JSON.stringify(base.json);
    for (let i = 0; i < extra; i++) {
      const chars = [...text];
      for (let k = 0; k < 3; k++) chars[Math.floor(random() * chars.length)] = String.fromCharCode(32 + Math.floor(random() * 90));
      all.push({ name: `${base.name}-fuzz-${i}`, expect: 'either', json: chars.join(''), weights: base.weights });
    }
  }
  return all;
}

/** Writes each mutation into `root`/<name>/ (model.json, weights.bin, and its setup). */
export async function writeMutations(root: string, all: Mutation[]): Promise<void> {
  for (const mutation of all) {
    const dir = join(root, mutation.name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'model.json'), mutation.json);
    await writeFile(join(dir, 'weights.bin'), mutation.weights);
    await mutation.setup?.(dir);
  }
}
