// A folder of labelled drawings: pictures of digits (PNG, JPEG, BMP) whose digit is known,
// read the way the paint pad and `predict` read a picture, to score a model on them.
// The labels come from the folder's labels.csv (columns `file` and `label`; more columns may
// follow), or else from each file name's first character (`7.png`, `3-050.png`, `4_me.jpg`).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Examples } from '../training/batches';
import { IMAGE_PIXELS } from '../shared/limits';
import { toMnistInput } from '../shared/preprocess';
import { readImageFile } from './images';

/** A folder of drawings that cannot be scored: the message names the folder or file and what is wrong. */
export class DrawingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrawingsError';
  }
}

export const LABELS_FILE = 'labels.csv';
const IMAGE_NAME = /\.(png|jpe?g|bmp)$/i;
/** The lab reads at most this many drawings from one folder. */
export const MAX_DRAWINGS = 10_000;

export interface LabelledFile {
  /** the file's path as given in labels.csv (or its name), relative to the folder */
  file: string;
  label: number;
}

function parseLabel(text: string, where: string): number {
  if (!/^[0-9]$/.test(text)) throw new DrawingsError(`${where}: the label must be one digit from 0 to 9, got "${text}"`);
  return Number(text);
}

/** labels.csv: a header naming `file` and `label`, then one row per drawing. */
function parseLabels(text: string, csv: string, dir: string): LabelledFile[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new DrawingsError(`${csv}: the file is empty; it needs a header with the columns file and label`);
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  const fileColumn = header.indexOf('file');
  const labelColumn = header.indexOf('label');
  if (fileColumn < 0 || labelColumn < 0) throw new DrawingsError(`${csv}: the first line must name the columns file and label, got "${lines[0]}"`);
  if (lines.length - 1 > MAX_DRAWINGS) throw new DrawingsError(`${csv}: ${lines.length - 1} drawings; the lab reads at most ${MAX_DRAWINGS} from one folder`);
  const root = resolve(dir);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    const where = `${csv}, line ${i + 2}`;
    const file = cells[fileColumn] ?? '';
    if (file === '') throw new DrawingsError(`${where}: the file column is empty`);
    if (!resolve(root, file).startsWith(root + sep)) {
      throw new DrawingsError(`${where}: "${file}" is not a file inside ${dir}`);
    }
    return { file, label: parseLabel(cells[labelColumn] ?? '', where) };
  });
}

/** The folder's drawings and their digits, in the order labels.csv (or the file names) gives. */
export async function listLabelledDrawings(dir: string): Promise<LabelledFile[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new DrawingsError(`${dir}: not a folder (give a folder of labelled drawings)`);
  const csv = join(dir, LABELS_FILE);
  const csvText = await readFile(csv, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new DrawingsError(`${csv}: ${error.message}`);
  });
  let files: LabelledFile[];
  if (csvText !== undefined) {
    files = parseLabels(csvText, csv, dir);
  } else {
    const names = (await readdir(dir)).filter((name) => IMAGE_NAME.test(name)).sort();
    if (names.length > MAX_DRAWINGS) throw new DrawingsError(`${dir}: ${names.length} pictures; the lab reads at most ${MAX_DRAWINGS} from one folder`);
    files = names.map((file) => {
      if (!/^[0-9](?![0-9])/.test(file)) {
        throw new DrawingsError(`${join(dir, file)}: the name does not start with its digit (as in 7.png or 3-050.png); name it so, or list the folder's drawings in ${LABELS_FILE} with the columns file and label`);
      }
      return { file, label: Number(file[0]) };
    });
  }
  if (files.length === 0) throw new DrawingsError(`${dir}: no PNG, JPEG or BMP pictures to read (and no ${LABELS_FILE})`);
  return files;
}

export interface UnreadDrawing extends LabelledFile {
  /** why the picture could not be read (blank, too faint, not an image …) */
  error: Error;
}

export interface LabelledDrawings {
  dir: string;
  /** the drawings that were read, as the model's 28×28 inputs, in order */
  examples: Examples;
  /** the file of each example */
  files: string[];
  /** the pictures that could not be read, with why */
  unread: UnreadDrawing[];
}

/** Reads every labelled drawing of a folder through the lab's preprocessing. */
export async function readLabelledDrawings(dir: string): Promise<LabelledDrawings> {
  const listed = await listLabelledDrawings(dir);
  const images = new Float32Array(listed.length * IMAGE_PIXELS);
  const labels: number[] = [];
  const files: string[] = [];
  const unread: UnreadDrawing[] = [];
  for (const entry of listed) {
    const path = join(dir, entry.file);
    try {
      const { input } = toMnistInput(await readImageFile(path), path);
      images.set(input, labels.length * IMAGE_PIXELS);
      labels.push(entry.label);
      files.push(entry.file);
    } catch (error) {
      unread.push({ ...entry, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  const count = labels.length;
  return { dir, examples: { count, images: images.subarray(0, count * IMAGE_PIXELS), labels: Uint8Array.from(labels) }, files, unread };
}
