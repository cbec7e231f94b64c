// The built renderer as files: which file a URL path names, and its content type. Shared by
// browser mode's server and the desktop app's app:// protocol, so both refuse the same paths.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const INDEX = '/index.html';

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/** The file under `root` that `pathname` names ('/' is index.html), or null when there is none or the path leaves `root`. */
export async function readStatic(root: string, pathname: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname === '/' ? INDEX : pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const base = resolve(root);
  const path = resolve(base, '.' + decoded);
  if (!path.startsWith(base + sep)) return null;
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return null;
  // A link inside the folder must not lead out of it either.
  const [real, realBase] = await Promise.all([realpath(path), realpath(base)]);
  if (!real.startsWith(realBase + sep)) return null;
  return { body: await readFile(real), contentType: CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream' };
}
