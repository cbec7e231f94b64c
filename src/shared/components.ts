// The digit's own ink among stray marks: the ink's 8-connected pieces, without lines that run
// along the picture's border (a frame, a page edge) and pieces far from the digit (specks, a
// neighbouring digit's edge). The digit is the heaviest piece and the pieces near it.

/** A piece whose strong ink lies this much inside the border band is a line along the border... */
const BORDER_SHARE = 0.9;
/** ...the band being this share of the shorter side wide... */
const BORDER_BAND = 0.06;
/** ...if it runs along at least this share of a side. */
const BORDER_RUN = 0.25;
/** Pieces within this share of the digit's size from it are part of it (a 5's detached bar). */
const NEAR = 0.25;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Piece {
  mass: number;
  strong: number;
  inBand: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Labels 8-connected ink (strength > 0); returns each pixel's piece (0 for none) and the pieces. */
function label(strength: Float32Array, width: number, height: number, strongLevel: number): { labels: Int32Array; pieces: Piece[] } {
  const labels = new Int32Array(strength.length);
  const pieces: Piece[] = [];
  const stack = new Int32Array(strength.length);
  const band = Math.max(2, Math.round(BORDER_BAND * Math.min(width, height)));
  for (let start = 0; start < strength.length; start++) {
    if (strength[start] <= 0 || labels[start] !== 0) continue;
    const id = pieces.length + 1;
    pieces.push(fill(strength, width, height, strongLevel, band, labels, stack, start, id));
  }
  return { labels, pieces };
}

/** Labels the piece holding `start` with `id` and measures it; plain locals keep the loop fast. */
function fill(strength: Float32Array, width: number, height: number, strongLevel: number, band: number, labels: Int32Array, stack: Int32Array, start: number, id: number): Piece {
  let mass = 0;
  let strong = 0;
  let inBand = 0;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  let top = 0;
  stack[top++] = start;
  labels[start] = id;
  while (top > 0) {
    const i = stack[--top];
    const y = (i / width) | 0;
    const x = i - y * width;
    const v = strength[i];
    mass += v;
    if (v >= strongLevel) {
      strong++;
      if (x < band || y < band || x >= width - band || y >= height - band) inBand++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const x0 = x > 0 ? -1 : 0;
    const x1 = x < width - 1 ? 1 : 0;
    const y0 = y > 0 ? -1 : 0;
    const y1 = y < height - 1 ? 1 : 0;
    for (let dy = y0; dy <= y1; dy++) {
      for (let dx = x0, j = i + dy * width + x0; dx <= x1; dx++, j++) {
        if (labels[j] === 0 && strength[j] > 0) {
          labels[j] = id;
          stack[top++] = j;
        }
      }
    }
  }
  return { mass, strong, inBand, minX, minY, maxX, maxY };
}

/** Each pixel's 8-connected piece of ink (strength > 0), numbered from 1 (0 for no ink), and how many pieces. */
export function inkPieces(strength: Float32Array, width: number, height: number): { labels: Int32Array; count: number } {
  const { labels, pieces } = label(strength, width, height, Infinity);
  return { labels, count: pieces.length };
}

function alongBorder(piece: Piece, width: number, height: number): boolean {
  const runs = piece.maxX - piece.minX + 1 >= BORDER_RUN * width || piece.maxY - piece.minY + 1 >= BORDER_RUN * height;
  return runs && piece.inBand >= BORDER_SHARE * piece.strong;
}

function gap(piece: Piece, box: Box): number {
  const dx = Math.max(box.x - piece.maxX, piece.minX - (box.x + box.width - 1), 0);
  const dy = Math.max(box.y - piece.maxY, piece.minY - (box.y + box.height - 1), 0);
  return Math.max(dx, dy);
}

function union(box: Box, piece: Piece): Box {
  const x = Math.min(box.x, piece.minX);
  const y = Math.min(box.y, piece.minY);
  return { x, y, width: Math.max(box.x + box.width - 1, piece.maxX) - x + 1, height: Math.max(box.y + box.height - 1, piece.maxY) - y + 1 };
}

/**
 * Zeroes every piece of ink that is not the digit's, and returns the box of the digit's strong
 * ink (at least `strongLevel`), or null when there is none.
 */
export function keepDigit(strength: Float32Array, width: number, height: number, strongLevel: number): Box | null {
  const { labels, pieces } = label(strength, width, height, strongLevel);
  const candidates = pieces.map((piece, k) => ({ piece, id: k + 1 })).filter(({ piece }) => piece.strong > 0 && !alongBorder(piece, width, height));
  if (candidates.length === 0) return null;
  candidates.sort((a, b) => b.piece.mass - a.piece.mass);
  const kept = new Set([candidates[0].id]);
  const { piece: main } = candidates[0];
  let box: Box = { x: main.minX, y: main.minY, width: main.maxX - main.minX + 1, height: main.maxY - main.minY + 1 };
  for (let grew = true; grew; ) {
    grew = false;
    for (const { piece, id } of candidates) {
      if (kept.has(id) || gap(piece, box) > NEAR * Math.max(box.width, box.height)) continue;
      kept.add(id);
      box = union(box, piece);
      grew = true;
    }
  }
  if (kept.size === pieces.length) return box;
  const keep = new Uint8Array(pieces.length + 1);
  for (const id of kept) keep[id] = 1;
  for (let i = 0; i < strength.length; i++) if (keep[labels[i]] === 0) strength[i] = 0;
  return box;
}
