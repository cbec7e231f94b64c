// What the training tests start from: the wasm engine (as the lab reports it to a run) and real MNIST.
import { loadMnist, type Mnist } from '../../src/data/mnist';
import { engineReport, initEngine } from '../../src/engine/backend';
import type { EngineReport } from '../../src/shared/training';

export async function wasmAndMnist(): Promise<{ engine: EngineReport; data: Mnist }> {
  const info = await initEngine('wasm');
  return { engine: engineReport(info), data: await loadMnist() };
}
