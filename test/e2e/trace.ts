// A 28×28 MNIST digit as pen strokes: the ink thinned to a one-pixel skeleton (Zhang–Suen), then
// the skeleton walked as paths, so a test can draw the digit the way a hand would, stroke by stroke.
const SIDE = 28;
/** MNIST gray at or above this is ink (of 0–255). */
const INK = 96;

export type Point = [x: number, y: number];

export interface Traced {
  /** paths of pixel coordinates (pixel centers at +0.5 when drawn) */
  strokes: Point[][];
  /** the digit's mean stroke width in MNIST pixels: its ink divided by its skeleton's length */
  strokeWidth: number;
}

const at = (image: Uint8Array, x: number, y: number) => (x >= 0 && y >= 0 && x < SIDE && y < SIDE ? image[y * SIDE + x] : 0);

/** The 8 neighbours P2..P9, clockwise from north, as Zhang and Suen number them. */
function neighbours(image: Uint8Array, x: number, y: number): number[] {
  return [at(image, x, y - 1), at(image, x + 1, y - 1), at(image, x + 1, y), at(image, x + 1, y + 1), at(image, x, y + 1), at(image, x - 1, y + 1), at(image, x - 1, y), at(image, x - 1, y - 1)];
}

/** Zhang–Suen thinning (1984) of a 0/1 image, in place. */
export function thin(image: Uint8Array): Uint8Array {
  for (let changed = true; changed; ) {
    changed = false;
    for (const pass of [0, 1]) {
      const remove: number[] = [];
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          if (!image[y * SIDE + x]) continue;
          const p = neighbours(image, x, y);
          const b = p.reduce((sum, v) => sum + v, 0);
          let a = 0;
          for (let k = 0; k < 8; k++) if (!p[k] && p[(k + 1) % 8]) a++;
          const [p2, , p4, , p6, , p8] = p;
          const ok = pass === 0 ? !(p2 && p4 && p6) && !(p4 && p6 && p8) : !(p2 && p4 && p8) && !(p2 && p6 && p8);
          if (b >= 2 && b <= 6 && a === 1 && ok) remove.push(y * SIDE + x);
        }
      }
      for (const i of remove) image[i] = 0;
      if (remove.length) changed = true;
    }
  }
  return image;
}

/**
 * The skeleton's pixels joined to their 8 neighbours, except a diagonal step where the two
 * pixels also meet through a shared 4-neighbour (that would make a little triangle).
 */
function edges(skeleton: Uint8Array): Map<number, number[]> {
  const graph = new Map<number, number[]>();
  const on = (x: number, y: number) => at(skeleton, x, y) === 1;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      if (!on(x, y)) continue;
      const next: number[] = [];
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((!dx && !dy) || !on(x + dx, y + dy)) continue;
          if (dx && dy && (on(x + dx, y) || on(x, y + dy))) continue;
          next.push((y + dy) * SIDE + x + dx);
        }
      }
      graph.set(y * SIDE + x, next);
    }
  }
  return graph;
}

/** Walks every edge once: paths start at loose ends where there are any, and go as straight as they can. */
function walk(graph: Map<number, number[]>): Point[][] {
  const used = new Set<string>();
  const key = (a: number, b: number) => (a < b ? `${a}-${b}` : `${b}-${a}`);
  const free = (node: number) => graph.get(node)!.filter((n) => !used.has(key(node, n)));
  const point = (node: number): Point => [node % SIDE, Math.floor(node / SIDE)];
  const paths: Point[][] = [];
  const nodes = [...graph.keys()];
  for (;;) {
    const start = nodes.find((n) => free(n).length % 2 === 1) ?? nodes.find((n) => free(n).length > 0);
    if (start === undefined) break;
    const path = [start];
    let node = start;
    for (let options = free(node); options.length; options = free(node)) {
      const [px, py] = path.length > 1 ? point(path[path.length - 2]) : point(node);
      const [x, y] = point(node);
      // the option closest to the current heading
      const next = options.reduce((best, n) => {
        const score = (m: number) => {
          const [mx, my] = point(m);
          return (mx - x) * (x - px) + (my - y) * (y - py);
        };
        return score(n) > score(best) ? n : best;
      });
      used.add(key(node, next));
      path.push(next);
      node = next;
    }
    paths.push(path.map(point));
  }
  // single pixels with no neighbour: a dot
  for (const [node, next] of graph) if (next.length === 0) paths.push([point(node)]);
  return paths;
}

/** A digit's strokes and stroke width, from its 784 gray values. */
export function traceDigit(pixels: ArrayLike<number>): Traced {
  const ink = new Uint8Array(SIDE * SIDE);
  let mass = 0;
  for (let i = 0; i < ink.length; i++) {
    ink[i] = pixels[i] >= INK ? 1 : 0;
    mass += pixels[i] / 255;
  }
  const skeleton = thin(ink);
  const length = skeleton.reduce((sum, v) => sum + v, 0);
  return { strokes: walk(edges(skeleton)), strokeWidth: length ? mass / length : 1 };
}
