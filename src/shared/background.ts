// The paper's own level under each pixel of an unevenly lit photo: a coarse grid of the paper's
// level (each cell's light end for dark ink), closed over neighbouring cells so a cell covered
// by a stroke takes its neighbours' paper (a closing keeps a smooth lighting ramp as it is),
// then interpolated between cell centres.

/** About this many cells along the longer side. */
const CELLS = 16;
const MIN_CELL = 4;
/** Within a cell, the paper is this far toward its light (or, for light ink, dark) end. */
const PAPER_PERCENTILE = 0.9;

function cellLevels(gray: Float32Array, width: number, height: number, cell: number, light: boolean): { levels: Float32Array; nx: number; ny: number } {
  const nx = Math.ceil(width / cell);
  const ny = Math.ceil(height / cell);
  const levels = new Float32Array(nx * ny);
  const histogram = new Uint32Array(256);
  for (let cy = 0; cy < ny; cy++) {
    for (let cx = 0; cx < nx; cx++) {
      histogram.fill(0);
      const x1 = Math.min(width, (cx + 1) * cell);
      const y1 = Math.min(height, (cy + 1) * cell);
      for (let y = cy * cell; y < y1; y++) for (let x = cx * cell; x < x1; x++) histogram[Math.round(gray[y * width + x])]++;
      const count = (x1 - cx * cell) * (y1 - cy * cell);
      const wanted = (light ? PAPER_PERCENTILE : 1 - PAPER_PERCENTILE) * count;
      let level = 0;
      for (let seen = 0; level < 255; level++) {
        seen += histogram[level];
        if (seen >= wanted) break;
      }
      levels[cy * nx + cx] = level;
    }
  }
  return { levels, nx, ny };
}

/** A 3×3 max (or min) over the grid. */
function spread(levels: Float32Array, nx: number, ny: number, pick: (a: number, b: number) => number): Float32Array {
  const out = new Float32Array(levels.length);
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      let v = levels[y * nx + x];
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < nx && yy < ny) v = pick(v, levels[yy * nx + xx]);
        }
      }
      out[y * nx + x] = v;
    }
  }
  return out;
}

/** Per pixel, the paper's gray level; `light` when the paper is lighter than the ink. */
export function backgroundSurface(gray: Float32Array, width: number, height: number, light: boolean): Float32Array {
  const cell = Math.max(MIN_CELL, Math.ceil(Math.max(width, height) / CELLS));
  const { levels, nx, ny } = cellLevels(gray, width, height, cell, light);
  const [toPaper, back] = light ? [Math.max, Math.min] : [Math.min, Math.max];
  const closed = spread(spread(levels, nx, ny, toPaper), nx, ny, back);
  const surface = new Float32Array(width * height);
  const at = (x: number, y: number) => closed[Math.min(ny - 1, Math.max(0, y)) * nx + Math.min(nx - 1, Math.max(0, x))];
  for (let y = 0; y < height; y++) {
    const gy = (y + 0.5) / cell - 0.5;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = (x + 0.5) / cell - 0.5;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      surface[y * width + x] = (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
    }
  }
  return surface;
}
