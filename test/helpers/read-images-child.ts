// Reads each image path given, in a process of its own (a hang or a runaway read shows as a
// timeout, not a stuck test), and prints one JSON line: each outcome and the peak RSS.
import { readImageFile } from '../../src/files/images';

const outcomes: { path: string; ms: number; read?: string; refused?: string; crashed?: string }[] = [];
for (const path of process.argv.slice(2)) {
  const start = performance.now();
  const ms = () => performance.now() - start;
  try {
    const image = await readImageFile(path);
    outcomes.push({ path, ms: ms(), read: `${image.width}×${image.height}×${image.channels}` });
  } catch (error) {
    const refusal = error instanceof Error && error.name === 'ImageFileError';
    outcomes.push({ path, ms: ms(), ...(refusal ? { refused: error.message } : { crashed: String((error as Error)?.stack ?? error) }) });
  }
}
process.stdout.write(`${JSON.stringify({ outcomes, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
