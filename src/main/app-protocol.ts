// The built renderer is served as app://digit-lab/… rather than file://, so the page has a real
// origin of its own, cannot read other local files, and carries the same headers as in browser mode.
import { protocol } from 'electron';
import { readStatic } from '../pages/static-files';
import { securityHeaders } from '../pages/headers';
import { APP_HOST, APP_SCHEME } from './app-url';

/** Before the app is ready: app:// behaves like https (secure context, ES modules, fetch). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function serveRenderer(rendererDir: string): void {
  const headers = securityHeaders();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST && request.method === 'GET' ? await readStatic(rendererDir, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404, headers });
    return new Response(new Uint8Array(file.body), { status: 200, headers: { ...headers, 'Content-Type': file.contentType } });
  });
}
