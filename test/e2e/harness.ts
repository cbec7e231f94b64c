// The E2E harness: the renderer built (when stale), the real lab and browser-mode server
// in-process on 127.0.0.1 with a temporary DIGIT_LAB_HOME, and Debian's Chromium through playwright-core.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { createLabService, type LabService } from '../../src/lab/service';
import { startServer, type LabServer } from '../../src/server/server';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RENDERER_OUT = join(ROOT, 'out', 'renderer');
/** What the renderer build depends on: when any is newer than out/renderer, build again. */
const RENDERER_INPUTS = ['src/renderer', 'src/shared', 'electron.vite.config.ts', 'package.json'];
export const SCREENSHOTS = join(ROOT, 'test-output', 'screenshots');
export const README_SCREENSHOTS = join(ROOT, 'resources', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** `npm test` builds first; a run of this file alone builds here when the sources are newer. */
export function buildRendererIfStale(): void {
  const index = join(RENDERER_OUT, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(...RENDERER_INPUTS.map((p) => newest(join(ROOT, p))));
  if (sources > built) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

export interface Lab {
  home: string;
  service: LabService;
  server: LabServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function startLab(): Promise<Lab> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the E2E tests drive Chromium at ${CHROMIUM}, which is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  const home = await mkdtemp(join(tmpdir(), 'digit-lab-e2e-'));
  process.env.DIGIT_LAB_HOME = home;
  // downloads go to a cache of this run's own, never the user's
  const service = await createLabService({ home, cacheDir: join(home, 'cache') });
  const server = await startServer({ service, staticDir: RENDERER_OUT });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(server.url);
  return {
    home,
    service,
    server,
    browser,
    context,
    page,
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      await service.close();
      await rm(home, { recursive: true, force: true });
      if (problems.length) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
    },
  };
}

/** Waits until the locator's text matches; the last text seen is in the error. */
export async function waitForText(locator: Locator, pattern: RegExp, timeout = 30_000): Promise<string> {
  const until = Date.now() + timeout;
  let text = '';
  while (Date.now() < until) {
    text = ((await locator.textContent({ timeout: 1000 }).catch(() => null)) ?? '').trim();
    if (pattern.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${pattern}; the text was: ${JSON.stringify(text.slice(0, 300))}`);
}

/** Pixels a chart has drawn on its canvas (not transparent). */
export async function inkedPixels(locator: Locator): Promise<number> {
  return locator.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d');
    if (!context || canvas.width === 0 || canvas.height === 0) return 0;
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
    return inked;
  });
}

/**
 * A full-page screenshot into test-output/screenshots; with UPDATE_SCREENSHOTS=1 also a copy
 * for the README (so an ordinary test run leaves the committed pictures alone).
 */
export async function screenshot(page: Page, name: string, forReadme = true): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => document.fonts.ready);
  await page.mouse.move(0, 0);
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (forReadme && process.env.UPDATE_SCREENSHOTS === '1') {
    await mkdir(README_SCREENSHOTS, { recursive: true });
    await copyFile(path, join(README_SCREENSHOTS, `${name}.png`));
  }
  return path;
}
