// A seeded run replaces Math.random while it trains: tfjs draws dropout masks and
// unseeded random ops from it, so the same seed repeats the same run on the same backend.
import { seededUniform } from '../models/random';

export async function withSeededRandom<T>(seed: number | undefined, body: () => Promise<T>): Promise<T> {
  if (seed === undefined) return body();
  const original = Math.random;
  Math.random = seededUniform(seed ^ 0x5eed);
  try {
    return await body();
  } finally {
    Math.random = original;
  }
}
