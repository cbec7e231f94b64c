// hard_sigmoid is clip(0.2x + 0.5, 0, 1) in Keras 2 and TF.js, but relu6(x + 3) / 6 =
// clip(x/6 + 0.5, 0, 1) in Keras 3: the same function of 1.2x. A recurrent layer's gates are
// carried across by scaling the gates' columns of its kernels and bias by 1.2 (or 1/1.2).

/** Keras 2 → Keras 3: a gate's pre-activation is multiplied by this. */
export const KERAS3_GATE_SCALE = 1.2;

/** Which blocks of units the recurrent activation reads: LSTM i, f, (c), o; GRU z, r, (h). */
const GATE_BLOCKS: Record<string, boolean[]> = { LSTM: [true, true, false, true], GRU: [true, true, false] };

/** A copy of a recurrent layer's kernel, recurrent kernel or bias with its gate columns scaled. */
export function scaleGates(className: string, shape: number[], values: Float32Array, units: number, factor: number): Float32Array {
  const blocks = GATE_BLOCKS[className];
  if (!blocks) return values;
  const columns = shape[shape.length - 1];
  if (columns !== blocks.length * units) throw new Error(`${className} weight of shape [${shape.join(', ')}] does not hold ${blocks.length} gates of ${units} units`);
  const out = Float32Array.from(values);
  for (let i = 0; i < out.length; i++) if (blocks[Math.floor((i % columns) / units)]) out[i] *= factor;
  return out;
}
