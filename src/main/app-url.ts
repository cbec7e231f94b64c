// Where the app's own pages live: app://digit-lab/ in a build, electron-vite's dev server in
// `npm run dev`. Everything else (the web, file://) is not the app.
export const APP_SCHEME = 'app';
export const APP_HOST = 'digit-lab';

/** The dev server's address when electron-vite dev runs us, else undefined. */
export const DEV_SERVER_URL = process.env.ELECTRON_RENDERER_URL;

export function appStartUrl(): string {
  return DEV_SERVER_URL ?? `${APP_SCHEME}://${APP_HOST}/index.html`;
}

/** Is `url` one of the app's own pages? (Custom schemes have an opaque URL.origin, so scheme and host are compared.) */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  let own: URL;
  try {
    parsed = new URL(url);
    own = new URL(appStartUrl());
  } catch {
    return false;
  }
  return parsed.protocol === own.protocol && parsed.host === own.host;
}
