// What the training tests start from: the wasm engine (as the lab reports it to a run) and real MNIST.
import { loadMnist, type Mnist } from '../../src/data/mnist';
import { initEngine } from '../../src/engine/backend';
import type { EngineReport } from '../../src/shared/training';

export async function wasmAndMnist(): Promise<{ engine: EngineReport; data: Mnist }> {
  const info = await initEngine('wasm');
  return { engine: { backend: info.backend, version: info.version, reason: info.reason }, data: await loadMnist() };
}
