// My digits: drawings the user labelled when the model read them wrong, kept in the lab's home
// so they can be browsed, evaluated on and trained with. One index file (every digit's 28×28
// input, label and date) written atomically, and the drawing itself beside it as a PNG.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic';
import { toUnitFloats } from '../data/idx';
import { IMAGE_PIXELS as PIXELS } from '../shared/limits';

export const MY_DIGITS_DIR = 'my-digits';
const INDEX = 'index.json';
const FORMAT = 1;
/** The most My digits the lab keeps: plenty for a person's drawings, small enough to load at once. */
export const MAX_MY_DIGITS = 10_000;
/** A drawing kept beside a digit: the pad's PNG is far smaller. */
export const MAX_DRAWING_BYTES = 2 * 2 ** 20;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ID = /^[A-Za-z0-9_-]{1,100}$/;

export interface MyDigit {
  id: string;
  /** the digit the user says it is, 0–9 */
  label: number;
  /** when it was added, ISO 8601 */
  addedAt: string;
  /** the 28×28 preprocessed input, 784 bytes 0–255 (0 background, 255 ink) */
  pixels: Uint8Array;
  /** whether the original drawing is kept as <id>.png */
  hasDrawing: boolean;
}

interface IndexFile {
  format: number;
  digits: { id: string; label: number; addedAt: string; pixels: string; hasDrawing: boolean }[];
}

export class MyDigitsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MyDigitsError';
  }
}

function fail(message: string): never {
  throw new MyDigitsError(message);
}

/** A label as the user gave it: a whole number 0–9. */
export function checkLabel(label: unknown, name = 'label'): number {
  if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label > 9) {
    fail(`${name} must be a whole number from 0 to 9, got ${JSON.stringify(label) ?? String(label)}`);
  }
  return label;
}

/** 784 whole numbers 0–255, as bytes. */
export function checkPixels(pixels: ArrayLike<number>, name = 'pixels'): Uint8Array {
  if (!pixels || typeof pixels.length !== 'number') fail(`${name} must be a list of ${PIXELS} values`);
  if (pixels.length !== PIXELS) fail(`${name} must hold exactly ${PIXELS} values (28×28), got ${pixels.length}`);
  for (let i = 0; i < PIXELS; i++) {
    const v = pixels[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
      fail(`${name}[${i}] must be a whole number from 0 to 255, got ${JSON.stringify(v) ?? String(v)}`);
    }
  }
  return Uint8Array.from(pixels);
}

/** A drawing is kept only when it is a PNG of reasonable size. */
export function checkDrawing(png: Uint8Array, name = 'png'): Uint8Array {
  if (png.length > MAX_DRAWING_BYTES) fail(`${name} is larger than the ${MAX_DRAWING_BYTES / 2 ** 20} MiB a drawing may be`);
  if (png.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => png[i] !== b)) fail(`${name} is not a PNG image`);
  return png;
}

function parseIndex(text: string): MyDigit[] {
  const parsed = JSON.parse(text) as Partial<IndexFile>;
  if (parsed.format !== FORMAT || !Array.isArray(parsed.digits)) throw new Error(`it is not a format ${FORMAT} index of My digits`);
  return parsed.digits.map((d, i) => {
    if (typeof d?.id !== 'string' || !ID.test(d.id)) throw new Error(`digit ${i} has no valid id`);
    const pixels = new Uint8Array(Buffer.from(String(d.pixels), 'base64'));
    if (pixels.length !== PIXELS) throw new Error(`digit ${i} holds ${pixels.length} pixels, not ${PIXELS}`);
    checkLabel(d.label, `digit ${i}'s label`);
    return { id: d.id, label: d.label, addedAt: String(d.addedAt), pixels, hasDrawing: d.hasDrawing === true };
  });
}

/** The user's own labelled digits in <home>/my-digits. Writes one at a time, in the order asked. */
export class MyDigitsStore {
  readonly dir: string;
  private digits: MyDigit[] | null = null;
  private loading: Promise<MyDigit[]> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** set when the index could not be read and was kept aside; the store then starts empty */
  damaged: string | null = null;

  constructor(home: string) {
    this.dir = join(home, MY_DIGITS_DIR);
  }

  get indexPath(): string {
    return join(this.dir, INDEX);
  }

  drawingPath(id: string): string {
    return join(this.dir, `${id}.png`);
  }

  /** The digits as they stand: read from disk once, then kept in step with every write. */
  private async load(): Promise<MyDigit[]> {
    this.loading ??= this.read().then((digits) => (this.digits = digits));
    await this.loading;
    return this.digits!;
  }

  private async read(): Promise<MyDigit[]> {
    let text: string;
    try {
      text = await readFile(this.indexPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    try {
      return parseIndex(text);
    } catch (error) {
      // A damaged index is kept aside, never deleted, and the lab goes on with none.
      const aside = `${this.indexPath}.damaged-${Date.now()}`;
      await rename(this.indexPath, aside);
      this.damaged = `${this.indexPath} could not be read (${(error as Error).message.split('\n')[0]}); it was kept as ${aside}`;
      return [];
    }
  }

  private async write(digits: MyDigit[]): Promise<void> {
    const file: IndexFile = {
      format: FORMAT,
      digits: digits.map((d) => ({ id: d.id, label: d.label, addedAt: d.addedAt, pixels: Buffer.from(d.pixels).toString('base64'), hasDrawing: d.hasDrawing })),
    };
    await writeFileAtomic(this.indexPath, JSON.stringify(file));
    this.digits = digits;
  }

  /** Runs `change` after every change asked before it. */
  private serial<T>(change: () => Promise<T>): Promise<T> {
    const next = this.queue.then(change, change);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Every digit, oldest first. */
  async list(): Promise<MyDigit[]> {
    return [...(await this.load())];
  }

  async add(digit: { label: number; pixels: ArrayLike<number>; png?: Uint8Array }): Promise<MyDigit> {
    const label = checkLabel(digit.label);
    const pixels = checkPixels(digit.pixels);
    const png = digit.png ? checkDrawing(digit.png) : undefined;
    return this.serial(async () => {
      const digits = await this.load();
      if (digits.length >= MAX_MY_DIGITS) fail(`My digits holds ${MAX_MY_DIGITS}, the most it keeps: delete some first`);
      const added: MyDigit = { id: randomUUID(), label, addedAt: new Date().toISOString(), pixels, hasDrawing: png !== undefined };
      // the drawing first: an index never names a drawing that is not there
      if (png) await writeFileAtomic(this.drawingPath(added.id), png);
      await this.write([...digits, added]);
      return added;
    });
  }

  /** Removes a digit and its drawing; false when there is no such digit. */
  async delete(id: string): Promise<boolean> {
    return this.serial(async () => {
      const digits = await this.load();
      const kept = digits.filter((d) => d.id !== id);
      if (kept.length === digits.length) return false;
      await this.write(kept);
      await rm(this.drawingPath(id), { force: true });
      return true;
    });
  }

  /** The original drawing of a digit as PNG bytes, or null when none was kept. */
  async drawing(id: string): Promise<Uint8Array | null> {
    const digit = (await this.load()).find((d) => d.id === id);
    if (!digit?.hasDrawing || !existsSync(this.drawingPath(id))) return null;
    return new Uint8Array(await readFile(this.drawingPath(id)));
  }
}

/** Digits as training or evaluation examples: images as floats 0..1 (pixels / 255, as MNIST's), labels. */
export function toExamples(digits: readonly MyDigit[]): { count: number; pixels: Uint8Array; images: Float32Array; labels: Uint8Array } {
  const pixels = new Uint8Array(digits.length * PIXELS);
  digits.forEach((d, i) => pixels.set(d.pixels, i * PIXELS));
  return { count: digits.length, pixels, images: toUnitFloats(pixels), labels: Uint8Array.from(digits, (d) => d.label) };
}
