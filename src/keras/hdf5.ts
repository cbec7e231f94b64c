// HDF5 through h5wasm (the HDF5 C library in wasm). h5wasm's Node build opens real paths,
// so bytes are read from, and written to, a temp file that is removed afterwards.
import h5wasm from 'h5wasm/node';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type H5File = InstanceType<typeof h5wasm.File>;
export type H5Group = InstanceType<typeof h5wasm.Group>;
export type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

async function withTempPath<T>(work: (path: string) => Promise<T> | T): Promise<T> {
  await h5wasm.ready;
  const dir = await mkdtemp(join(tmpdir(), 'digit-lab-h5-'));
  try {
    return await work(join(dir, 'file.h5'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The file length the superblock records (its end-of-file address), for a superblock at
 * offset 0, as Keras writes them. HDF5 refuses a shorter file itself, but prints its error
 * stack to the process's stderr on the way; the lab checks first and says it in one line.
 */
function storedLength(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[8];
  // versions 0 and 1 keep the sizes at 13 and the addresses after 24 (28 for 1) bytes; 2 and 3 at 9 and 12
  const offsetSize = version <= 1 ? bytes[13] : bytes[9];
  const eofAt = version === 0 ? 24 + 2 * offsetSize : version === 1 ? 28 + 2 * offsetSize : 12 + 2 * offsetSize;
  if (offsetSize !== 8 || eofAt + 8 > bytes.byteLength) return undefined;
  const length = view.getBigUint64(eofAt, true);
  return length <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(length) : undefined;
}

export class Hdf5TruncatedError extends Error {}

/** Opens HDF5 bytes read-only for `read`; the file is closed when it returns. */
export async function readHdf5<T>(bytes: Uint8Array, read: (file: H5File) => T): Promise<T> {
  const length = storedLength(bytes);
  if (length !== undefined && length > bytes.byteLength) {
    throw new Hdf5TruncatedError(`it holds ${bytes.byteLength} bytes, but its HDF5 header says ${length}: the file is truncated`);
  }
  return withTempPath(async (path) => {
    await writeFile(path, bytes);
    const file = new h5wasm.File(path, 'r');
    try {
      return read(file);
    } finally {
      file.close();
    }
  });
}

/** Builds a new HDF5 file with `write` and returns its bytes. */
export async function writeHdf5(write: (file: H5File) => void): Promise<Uint8Array> {
  return withTempPath(async (path) => {
    const file = new h5wasm.File(path, 'w');
    try {
      write(file);
    } finally {
      file.close();
    }
    return new Uint8Array(await readFile(path));
  });
}

export function isGroup(entity: unknown): entity is H5Group {
  return entity instanceof h5wasm.Group;
}

export function isDataset(entity: unknown): entity is H5Dataset {
  return entity instanceof h5wasm.Dataset;
}

/** An attribute as a string, or a list of strings (h5py writes both fixed and variable length). */
export function attrText(group: H5Group, name: string): string | undefined {
  const value = group.attrs[name]?.value;
  return typeof value === 'string' ? value : value instanceof Uint8Array ? new TextDecoder().decode(value) : undefined;
}

export function attrList(group: H5Group, name: string): string[] {
  const value = group.attrs[name]?.value;
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => (item instanceof Uint8Array ? new TextDecoder().decode(item) : String(item))).filter((s) => s !== '');
}

/** A float dataset as float32 values with its shape. */
export function readFloats(dataset: H5Dataset): { shape: number[]; values: Float32Array } {
  const value = dataset.value;
  if (!(value instanceof Float32Array || value instanceof Float64Array)) {
    throw new Error(`${dataset.path} holds ${dataset.dtype} values, not floats`);
  }
  return { shape: dataset.shape ?? [], values: value instanceof Float32Array ? value : Float32Array.from(value) };
}
