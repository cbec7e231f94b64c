// Otsu's threshold over the ink strengths: the level that best splits the picture into
// background and ink, and how strong the ink on its far side is.

export interface InkSplit {
  /** strengths above this are ink */
  threshold: number;
  /** the mean strength of the ink side */
  ink: number;
}

export function otsu(strength: Float32Array): InkSplit {
  const histogram = new Float64Array(256);
  for (let i = 0; i < strength.length; i++) {
    const v = strength[i];
    histogram[v >= 255 ? 255 : (v + 0.5) | 0]++;
  }
  const total = strength.length;
  let sum = 0;
  for (let v = 0; v < 256; v++) sum += v * histogram[v];
  let below = 0;
  let belowSum = 0;
  let best = -1;
  let threshold = 0;
  for (let t = 0; t < 255; t++) {
    below += histogram[t];
    belowSum += t * histogram[t];
    const above = total - below;
    if (below === 0 || above === 0) continue;
    const between = below * above * (belowSum / below - (sum - belowSum) / above) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  let count = 0;
  let inkSum = 0;
  for (let v = threshold + 1; v < 256; v++) {
    count += histogram[v];
    inkSum += v * histogram[v];
  }
  return { threshold, ink: count > 0 ? inkSum / count : 0 };
}
