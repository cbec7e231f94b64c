// The reliability suite's size: a few seconds' worth of cases in `npm test`, many more under
// `npm run test:reliability` (DIGIT_LAB_RELIABILITY=full).
export const FULL = process.env.DIGIT_LAB_RELIABILITY === 'full';

/** `quick` cases in npm test, `full` under npm run test:reliability. */
export function cases(quick: number, full: number): number {
  return FULL ? full : quick;
}
