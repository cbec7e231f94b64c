// Parsed JSON from a file, before it is known to have the shape expected of it.
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
