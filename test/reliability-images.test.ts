// Bad image files, as a user might give them to predict or the Paint view: each is read or
// refused with an ImageFileError naming it, quickly, in well under 500 MB; none hangs or crashes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { seededUniform } from '../src/models/random';
import { bmpFile, pngFile } from './helpers/image-files';
import { runHelper } from './helpers/child';
import { cases } from './helpers/reliability';

let dir: string;
/** file name → what must happen: 'refuse', 'read', or 'either' (a damaged file may still decode) */
const expected = new Map<string, 'refuse' | 'read' | 'either'>();

async function add(name: string, bytes: Uint8Array | string, outcome: 'refuse' | 'read' | 'either' = 'refuse'): Promise<void> {
  await writeFile(join(dir, name), bytes);
  expected.set(name, outcome);
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A PNG of zeros that compresses ~1000:1: small on disk, huge once decoded. */
function pngBomb(width: number, height: number, bitDepth: number, colorType: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width);
  header.writeUInt32BE(height, 4);
  header.set([bitDepth, colorType], 8);
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType] ?? 1;
  const rows = Buffer.alloc(height * (1 + (width * channels * bitDepth) / 8));
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'digit-lab-bad-images-'));
  const random = seededUniform(13);
  const png = pngFile({ width: 28, height: 28, colorType: 2, bitDepth: 8, samples: (x, y) => [x * 9, y * 9, 128] });
  const photo = new Uint8Array(jpeg.encode({ width: 28, height: 28, data: new Uint8Array(28 * 28 * 4).fill(200) }, 80).data);
  const bmp = bmpFile({ width: 28, height: 28, bits: 24, value: (x, y) => (x * 9) * 0x010101 + y });
  for (const [kind, good] of [['png', png], ['jpg', photo], ['bmp', bmp]] as const) {
    await add(`good.${kind}`, good, 'read');
    for (let i = 0; i < cases(10, 60); i++) {
      const length = Math.floor(random() * (good.length - 1));
      // A JPEG cut inside its scan may still decode (jpeg-js fills the rest); PNG and BMP must refuse.
      await add(`cut-${i}-at-${length}.${kind}`, good.subarray(0, length), kind === 'jpg' && length > 300 ? 'either' : 'refuse');
    }
    for (let i = 0; i < cases(3, 40); i++) {
      const flipped = good.slice();
      for (let k = 0; k < 4; k++) flipped[8 + Math.floor(random() * (flipped.length - 8))] ^= 1 << Math.floor(random() * 8);
      await add(`flipped-${i}.${kind}`, flipped, 'either');
    }
  }
  await add('empty.png', new Uint8Array(0));
  await add('bomb-8192-gray.png', pngBomb(8192, 8192, 8, 0));
  await add('bomb-4096-16bit.png', pngBomb(4096, 4096, 16, 6));
  await add('bomb-6000-rgba.png', pngBomb(6000, 6000, 8, 6));
  await add('zero-wide.png', pngBomb(0, 10, 8, 0));
  const giantChunk = Buffer.from(png);
  giantChunk.writeUInt32BE(0xffffffff, 33);
  await add('giant-chunk.png', giantChunk);
  const tallJpeg = Buffer.from(photo);
  const sof = tallJpeg.findIndex((b, i) => b === 0xff && tallJpeg[i + 1] === 0xc0);
  tallJpeg.writeUInt16BE(8192, sof + 5);
  tallJpeg.writeUInt16BE(8192, sof + 7);
  await add('bomb-8192.jpg', tallJpeg);
  const giantBmp = Buffer.from(bmp);
  giantBmp.writeInt32LE(8192, 18);
  giantBmp.writeInt32LE(-8192, 22);
  await add('bomb-8192.bmp', giantBmp);
  const negativeBmp = Buffer.from(bmp);
  negativeBmp.writeInt32LE(-28, 18);
  await add('negative-width.bmp', negativeBmp);
  await add('16-bit.png', pngFile({ width: 28, height: 28, colorType: 6, bitDepth: 16, samples: (x) => [x * 2000, 0, 0, 65535] }), 'read');
  await add('palette.png', pngFile({ width: 28, height: 28, colorType: 3, bitDepth: 4, palette: [[0, 0, 0], [255, 255, 255]], samples: (x) => [x % 2] }), 'read');
  await add('png-named.jpg', png, 'read');
  await add('text.png', 'this is not an image\n');
  await add('page.jpg', '<!doctype html><title>404</title>');
  await add('model.bmp', '{"modelTopology": {}}');
  await add('noise.png', Uint8Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
  await add('anim.gif', 'GIF89a\x05\x00\x03\x00');
  await add('tiff.png', Buffer.from([0x49, 0x49, 0x2a, 0x00, 1, 2, 3, 4]));
  // No encoder here writes CMYK: a frame header that claims four components (as CMYK's does) over three's data.
  const fourComponents = Buffer.from(photo);
  fourComponents[sof + 9] = 4;
  await add('cmyk-header.jpg', fourComponents, 'either');
  for (const device of ['/dev/zero', '/dev/urandom', '/dev/null']) {
    await symlink(device, join(dir, `device-${device.slice(5)}.png`));
    expected.set(`device-${device.slice(5)}.png`, 'refuse');
  }
  execFileSync('mkfifo', [join(dir, 'fifo.png')]);
  expected.set('fifo.png', 'refuse');
  await symlink(join(dir, 'loop-b.png'), join(dir, 'loop-a.png'));
  await symlink(join(dir, 'loop-a.png'), join(dir, 'loop-b.png'));
  expected.set('loop-a.png', 'refuse');
  expected.set(`folder.png`, 'refuse');
  execFileSync('mkdir', [join(dir, 'folder.png')]);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('bad images (truncated, empty, bombs, wrong names, text, devices, FIFOs): each read or refused by name, no hang, under 500 MB', async () => {
  const names = [...expected.keys()];
  assert.ok(names.filter((name) => expected.get(name) !== 'read').length >= 50, `${names.length} cases`);
  const report = JSON.parse(await runHelper('./read-images-child.ts', names.map((name) => join(dir, name)), 60_000));
  const outcomes = report.outcomes as { path: string; ms: number; read?: string; refused?: string; crashed?: string }[];
  for (const outcome of outcomes) {
    const name = outcome.path.slice(dir.length + 1);
    assert.equal(outcome.crashed, undefined, `${name} crashed the reader`);
    if (outcome.refused) assert.ok(outcome.refused.startsWith(`${outcome.path}: `), `${name}: the refusal names the file: ${outcome.refused}`);
    const want = expected.get(name);
    if (want === 'refuse') assert.ok(outcome.refused, `${name} was read (${outcome.read}) but must be refused`);
    if (want === 'read') assert.ok(outcome.read, `${name} was refused: ${outcome.refused}`);
    if (outcome.refused) assert.ok(outcome.ms < 1000, `${name} took ${Math.round(outcome.ms)} ms to refuse`);
  }
  assert.ok(report.peakRssMb < 500, `peak RSS ${report.peakRssMb} MB`);
  const byName = new Map(outcomes.map((o) => [o.path.slice(dir.length + 1), o.refused ?? o.read]));
  assert.match(byName.get('device-zero.png')!, /is not a regular file \(a device, FIFO or socket\)/);
  assert.match(byName.get('fifo.png')!, /is not a regular file/);
  assert.match(byName.get('bomb-4096-16bit.png')!, /claims 4096×4096 pixels at 16 bits per sample; .* at most 8 megapixels/);
  assert.match(byName.get('bomb-8192.jpg')!, /claims 8192×8192 pixels/);
});
