import type { Command } from './command';
import { print } from './output';
import { describeMnist, loadMnist, defaultCacheDir } from '../data/mnist';
import { DEFAULT_MIRRORS, downloadMnist, type DownloadProgress } from '../data/download';

function oneHot(label: number): string {
  return Array.from({ length: 10 }, (_, k) => (k === label ? '1' : '0')).join('');
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export const dataCommand: Command = {
  name: 'data',
  usage: 'data [--download] [--mirror URL…] [--cache DIR]',
  summary: 'MNIST: source, verification, shapes, label counts',
  help: `  --download    fetch the gzipped IDX files from the mirrors into the cache, verified
  --mirror URL  a mirror base URL (repeatable); default: ${DEFAULT_MIRRORS.join(', ')}
  --cache DIR   the cache folder (default ${defaultCacheDir()}, or DIGIT_LAB_CACHE)
`,
  options: { download: { type: 'boolean' }, mirror: { type: 'string', multiple: true }, cache: { type: 'string' } },
  async run(values) {
    const cacheDir = (values.cache as string | undefined) ?? defaultCacheDir();
    const json = values.json as boolean | undefined;
    let download = null;
    if (values.download) {
      let lastLine = 0;
      const onProgress = (p: DownloadProgress) => {
        if (json || Date.now() - lastLine < 1000) return;
        lastLine = Date.now();
        const total = p.total ? ` of ${megabytes(p.total)}` : '';
        const eta = p.etaSeconds === null ? '' : `, ${Math.ceil(p.etaSeconds)}s left`;
        process.stderr.write(`${p.file}: ${megabytes(p.bytes)}${total} at ${megabytes(p.bytesPerSecond)}/s${eta} (${p.mirror})\n`);
      };
      download = await downloadMnist({ cacheDir, mirrors: values.mirror as string[] | undefined, onProgress });
    }
    const data = await loadMnist({ cacheDir, onStatus: (message) => process.stderr.write(`digit-lab: ${message}\n`) });
    const doc = { ...describeMnist(data), download };
    print(json, doc, () => {
      const first = data.train.labels[0];
      return [
        `source: ${data.source} (${data.dir})`,
        ...Object.entries(data.sha256).map(([file, hash]) => `  ${file.padEnd(24)} sha256 ${hash} verified`),
        `x_train: (${doc.shapes.x_train.join(', ')})  y_train: (${data.train.count},)`,
        `x_test:  (${doc.shapes.x_test.join(', ')})  y_test:  (${data.test.count},)`,
        `train label counts 0..9: ${doc.trainLabelCounts.join(' ')}`,
        `test label counts 0..9:  ${doc.testLabelCounts.join(' ')}`,
        `first training label: ${first}, one-hot ${oneHot(first)}`,
      ].join('\n');
    });
  },
};
