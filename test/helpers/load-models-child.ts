// Loads each model folder given, in a process of its own (a hang shows as a timeout, not a stuck
// test), and prints one JSON line: each outcome, how long it took, and the peak RSS.
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '../../src/files/model-files';

await tf.setBackend('cpu');
const outcomes: { dir: string; ms: number; loaded?: boolean; refused?: string; crashed?: string }[] = [];
for (const dir of process.argv.slice(2)) {
  const start = performance.now();
  try {
    const { model } = await loadModel(dir);
    model.dispose();
    outcomes.push({ dir, ms: performance.now() - start, loaded: true });
  } catch (error) {
    const ms = performance.now() - start;
    const refusal = error instanceof Error && error.name === 'ModelFileError';
    outcomes.push({ dir, ms, ...(refusal ? { refused: error.message } : { crashed: String((error as Error)?.stack ?? error) }) });
  }
}
process.stdout.write(`${JSON.stringify({ outcomes, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
