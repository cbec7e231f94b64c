// data.*: where the data comes from, its download, and its images.
import type { Samples } from '../../shared/contract';
import { IMAGE_PIXELS as PIXELS } from '../../shared/limits';
import { describeMnist } from '../../data/mnist';
import type { LabContext } from '../context';
import { LabError } from '../lab-error';
import type { Handlers } from './handlers';


type DataCall = 'data.status' | 'data.download' | 'data.cancelDownload' | 'data.samples' | 'data.image';

export function dataCalls(lab: LabContext): Handlers<DataCall> {
  return {
    'data.status': async () => ({
      ...describeMnist(await lab.mnist.get()),
      cacheDir: lab.mnist.cacheDir,
      mirrors: lab.settings.get().mirrors,
      ...(lab.mnist.notice ? { notice: lab.mnist.notice } : {}),
    }),
    'data.download': async ({ mirrors }) => {
      try {
        const result = await lab.mnist.download(mirrors ?? lab.settings.get().mirrors, (progress) => lab.emit('data.progress', progress));
        return { ok: true, files: result.files };
      } catch (error) {
        if (error instanceof LabError) throw error;
        return { ok: false, message: (error as Error).message, files: [] };
      }
    },
    'data.cancelDownload': async () => {
      lab.mnist.cancelDownload();
      return null;
    },
    'data.samples': async ({ split, label, offset, count }): Promise<Samples> => {
      const set = (await lab.mnist.get())[split];
      const indices: number[] = [];
      let total = 0;
      for (let i = 0; i < set.count; i++) {
        if (label !== undefined && set.labels[i] !== label) continue;
        if (total >= offset && indices.length < count) indices.push(i);
        total++;
      }
      const pixels = Buffer.alloc(indices.length * PIXELS);
      indices.forEach((index, k) => pixels.set(set.pixels.subarray(index * PIXELS, (index + 1) * PIXELS), k * PIXELS));
      return { indices, labels: indices.map((i) => set.labels[i]), pixels: pixels.toString('base64'), total };
    },
    'data.image': async ({ split, index }) => {
      const set = (await lab.mnist.get())[split];
      if (index >= set.count) throw new LabError('data.imageIndex', { path: 'data.image.index', count: set.count, split });
      return { split, index, label: set.labels[index], pixels: Array.from(set.pixels.subarray(index * PIXELS, (index + 1) * PIXELS)) };
    },
  };
}
