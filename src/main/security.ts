// Electron's security checklist for everything the app opens: no navigation away from the
// app's pages, no new windows (http(s) links go to the system browser), no webviews, every
// permission request denied but the export folder the user picks, and the CSP on the app's pages also when the dev server serves them.
import { app, shell, type Session } from 'electron';
import { contentSecurityPolicy } from '../pages/headers';
import { DEV_SERVER_URL, isAppUrl } from './app-url';

function openOutside(url: string): void {
  if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
}

export function lockDownContents(): void {
  app.on('web-contents-created', (_, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      openOutside(url);
      return { action: 'deny' };
    });
    const stayInApp = (event: Electron.Event, url: string) => {
      if (isAppUrl(url)) return;
      event.preventDefault();
      openOutside(url);
    };
    contents.on('will-navigate', stayInApp);
    contents.on('will-redirect', stayInApp);
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

export function lockDownSession(session: Session): void {
  // Only the folder a user picks to export a model into (File System Access) is granted,
  // and only to the app's own pages; everything else is refused.
  session.setPermissionRequestHandler((contents, permission, callback) => callback(permission === 'fileSystem' && isAppUrl(contents.getURL())));
  // app:// pages carry the CSP from their protocol handler; this covers the dev server's pages
  // (its HMR socket is the one connection they may make besides their own origin).
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!DEV_SERVER_URL || !isAppUrl(details.url)) return callback({});
    const hmr = DEV_SERVER_URL.replace(/^http/, 'ws').replace(/\/$/, '');
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy([hmr])] } });
  });
}
