// A test file's lab: a lab service in a fresh home, and the real MNIST it trains on; the home
// is removed after the file. The bindings are live: set in `before`, read by the tests.
import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLabService, type LabService } from '../../src/lab/service';
import { loadMnist, type Mnist } from '../../src/data/mnist';

export let home: string;
export let lab: LabService;
export let mnist: Mnist;

/** Registers the file's before and after hooks; `prefix` names the temporary home. */
export function useTestLab(prefix: string): void {
  before(async () => {
    home = await mkdtemp(join(tmpdir(), prefix));
    lab = await createLabService({ home, cacheDir: join(home, 'cache') });
    mnist = await loadMnist();
  });
  after(async () => {
    await lab.close();
    await rm(home, { recursive: true, force: true });
  });
}

export const call = <T>(name: string, args: unknown = null) => lab.call(name, args) as Promise<T>;
export const testImage = (index: number) => Array.from(mnist.test.images.subarray(index * 784, (index + 1) * 784));
