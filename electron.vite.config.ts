import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The training worker, its replicas and its augment feed are entries of their own:
        // start-worker.ts starts ./worker.js, ./replica-worker.js and ./augment-worker.js beside the bundle.
        input: {
          index: resolve('src/main/index.ts'),
          worker: resolve('src/training/worker.ts'),
          'replica-worker': resolve('src/training/replica-worker.ts'),
          'augment-worker': resolve('src/training/augment-worker.ts'),
        },
        // Shared chunks beside the entries, not in chunks/: start-worker.ts, wherever it lands,
        // finds ./worker.js relative to its own file.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload cannot be an ES module.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: { rollupOptions: { input: { index: resolve('src/renderer/index.html') } } },
    plugins: [svelte()],
  },
});
