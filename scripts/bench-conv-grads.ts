// Times the wasm training kernels against the stock ones on cnn-16-36's layers
// (batch 300, 5x5 'same' convs, 2x2 max pools): node --import tsx scripts/bench-conv-grads.ts
import * as tf from '@tensorflow/tfjs';
import { getKernel, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/engine/wasm-conv-grads';

const BATCH = 300;
const KERNEL = 5;
const WARMUP = 2;
const REPS = 8;
const POOL = 2;
const LAYERS = [
  { name: 'conv1 28x28x1->16', size: 28, inChannels: 1, outChannels: 16 },
  { name: 'conv2 14x14x16->36', size: 14, inChannels: 16, outChannels: 36 },
];
/** cnn-16-36's Dense after Flatten: 7*7*36 -> 128 */
const DENSE = { inputs: 7 * 7 * 36, units: 128 };
const POOLS = [
  { name: 'pool1 28x28x16', size: 28, channels: 16 },
  { name: 'pool2 14x14x36', size: 14, channels: 36 },
];

type Call = { inputs: Record<string, TensorInfo>; attrs: NamedAttrMap };

function timeKernel(kernel: KernelFunc, backend: tf.KernelBackend, call: Call, reps = REPS): number {
  const once = () => {
    const out = kernel({ inputs: call.inputs, attrs: call.attrs, backend }) as TensorInfo;
    backend.disposeData(out.dataId);
  };
  for (let i = 0; i < WARMUP; i++) once();
  const start = performance.now();
  for (let i = 0; i < reps; i++) once();
  return (performance.now() - start) / reps;
}

function kernelOf(name: string, backendName: string): KernelFunc {
  const config = getKernel(name, backendName);
  if (!config) throw new Error(`no ${name} kernel on ${backendName}`);
  return config.kernelFunc;
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const stockInputGrad = kernelOf('Conv2DBackpropInput', 'wasm');
  const stockPoolGrad = kernelOf('MaxPoolGrad', 'wasm');
  const stockMatMul = kernelOf('BatchMatMul', 'wasm');
  registerWasmTrainingKernels();
  const wasm = tf.backend() as BackendWasm;
  const rows: string[] = [];
  for (const layer of LAYERS) {
    const xShape: [number, number, number, number] = [BATCH, layer.size, layer.size, layer.inChannels];
    const filterShape: [number, number, number, number] = [KERNEL, KERNEL, layer.inChannels, layer.outChannels];
    const x = tf.randomNormal(xShape);
    const filter = tf.randomNormal(filterShape);
    const dy = tf.randomNormal([BATCH, layer.size, layer.size, layer.outChannels]);
    const common = { strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as NamedAttrMap;
    const forward: Call = { inputs: { x, filter }, attrs: { ...common, dilations: 1 } };
    const inputGrad: Call = { inputs: { dy, filter }, attrs: { ...common, inputShape: xShape } };
    const filterGrad: Call = { inputs: { x, dy }, attrs: { ...common, filterShape } };
    const ms = {
      forward: timeKernel(kernelOf('Conv2D', 'wasm'), wasm, forward),
      stockInput: timeKernel(stockInputGrad, wasm, inputGrad, Math.ceil(REPS / 4)),
      newInput: timeKernel(kernelOf('Conv2DBackpropInput', 'wasm'), wasm, inputGrad),
      newFilter: timeKernel(kernelOf('Conv2DBackpropFilter', 'wasm'), wasm, filterGrad),
    };
    rows.push(
      `${layer.name}: forward Conv2D ${ms.forward.toFixed(1)} ms | ` +
        `Conv2DBackpropInput stock ${ms.stockInput.toFixed(1)} ms -> new ${ms.newInput.toFixed(1)} ms | ` +
        `Conv2DBackpropFilter (stock: none) new ${ms.newFilter.toFixed(1)} ms`,
    );
    tf.dispose([x, filter, dy]);
  }
  for (const pool of POOLS) {
    const input = tf.randomNormal([BATCH, pool.size, pool.size, pool.channels]);
    const half = pool.size / POOL;
    const dy = tf.randomNormal([BATCH, half, half, pool.channels]);
    const call: Call = { inputs: { dy, input }, attrs: { filterSize: POOL, strides: POOL, pad: 'valid' } };
    const stock = timeKernel(stockPoolGrad, wasm, call);
    const fixed = timeKernel(kernelOf('MaxPoolGrad', 'wasm'), wasm, call);
    rows.push(`${pool.name}: MaxPoolGrad stock (wrong for windows <= 0) ${stock.toFixed(1)} ms -> new ${fixed.toFixed(1)} ms`);
    tf.dispose([input, dy]);
  }
  const activations = tf.randomNormal([BATCH, DENSE.inputs]);
  const weights = tf.randomNormal([DENSE.inputs, DENSE.units]);
  const dUnits = tf.randomNormal([BATCH, DENSE.units]);
  const gradients: Array<[string, Call]> = [
    ['dW = x^T.dy', { inputs: { a: activations, b: dUnits }, attrs: { transposeA: true, transposeB: false } }],
    ['dx = dy.W^T', { inputs: { a: dUnits, b: weights }, attrs: { transposeA: false, transposeB: true } }],
  ];
  for (const [name, call] of gradients) {
    const stock = timeKernel(stockMatMul, wasm, call, Math.ceil(REPS / 4));
    const fixed = timeKernel(kernelOf('BatchMatMul', 'wasm'), wasm, call);
    rows.push(`dense ${DENSE.inputs}->${DENSE.units} ${name}: BatchMatMul stock ${stock.toFixed(1)} ms -> new ${fixed.toFixed(1)} ms`);
  }
  tf.dispose([activations, weights, dUnits]);
  console.log(`wasm, batch ${BATCH}, ${KERNEL}x${KERNEL} 'same' convs, ms per call (mean of ${REPS} after ${WARMUP} warm-up):`);
  for (const row of rows) console.log(row);
}

await main();
