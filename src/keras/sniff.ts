// What a model file is, from its first bytes rather than its name: tf.keras up to 2.11 wrote
// HDF5 into files named .keras, and a Git LFS checkout without LFS leaves a small text pointer.
export type ModelFormat = 'keras-zip' | 'hdf5' | 'json' | 'lfs-pointer' | 'unknown';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function sniffFormat(head: Uint8Array): ModelFormat {
  if (head[0] === 0x50 && head[1] === 0x4b) return 'keras-zip';
  if (HDF5_SIGNATURE.every((byte, i) => head[i] === byte)) return 'hdf5';
  const text = new TextDecoder().decode(head.subarray(0, 64));
  if (text.startsWith('version https://git-lfs')) return 'lfs-pointer';
  if (text.trimStart().startsWith('{')) return 'json';
  return 'unknown';
}
