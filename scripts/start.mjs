// `npm start`: the desktop lab when Electron's binary can be had; otherwise one clear line
// pointing to the browser mode (npm run web), and a non-zero exit, never a stack trace.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// Electron 45 downloads its binary (about 100 MB) the first time it is required; give that a
// bounded time, which a slow connection may raise.
const DEFAULT_DOWNLOAD_TIMEOUT_S = 60;
const TIMEOUT_VARIABLE = 'DIGIT_LAB_ELECTRON_DOWNLOAD_TIMEOUT';
const timeoutSeconds = Number(process.env[TIMEOUT_VARIABLE]) > 0 ? Number(process.env[TIMEOUT_VARIABLE]) : DEFAULT_DOWNLOAD_TIMEOUT_S;
const FALLBACK = 'Run the lab in your browser instead: npm run web';

function cannotStart(reason) {
  console.error(`Digit Lab: Electron could not be started here (${reason}). ${FALLBACK}`);
  process.exit(1);
}

/** The last line of the probe's output that reads like an error, e.g. "TypeError: fetch failed". */
function lastError(output) {
  const lines = output.split('\n').map((line) => line.trim());
  return lines.reverse().find((line) => /^\w*Error: /.test(line) && !/Electron failed to install/.test(line));
}

/**
 * Asks the electron package for its binary in a child process of its own group, so a download
 * that hangs is killed with everything it started.
 */
function probeElectron() {
  return new Promise((resolve) => {
    const probe = spawn(process.execPath, ['-e', "process.stdout.write('\\n' + require('electron'))"], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    probe.stdout.on('data', (chunk) => (output += chunk));
    probe.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      // The whole group: the download runs in a grandchild. (Windows has no groups; the probe alone.)
      if (process.platform === 'win32') probe.kill('SIGKILL');
      else process.kill(-probe.pid, 'SIGKILL');
      resolve({ reason: `its download did not finish within ${timeoutSeconds} s; ${TIMEOUT_VARIABLE}=<seconds> allows more` });
    }, timeoutSeconds * 1000);
    probe.on('error', (error) => {
      clearTimeout(timer);
      resolve({ reason: error.message });
    });
    probe.on('close', (code) => {
      clearTimeout(timer);
      const path = output.trim().split('\n').at(-1);
      if (code === 0 && path && existsSync(path)) resolve({ path });
      else if (code === 0) resolve({ reason: `its binary is missing (${path})` });
      else resolve({ reason: `its binary is not installed and could not be downloaded: ${lastError(output) ?? `exit code ${code}`}` });
    });
  });
}

const require = createRequire(import.meta.url);
let electronVite;
try {
  require.resolve('electron/package.json');
  electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
} catch {
  cannotStart('the electron and electron-vite packages are not installed; run npm install');
}

const probe = await probeElectron();
if (probe.reason) cannotStart(probe.reason);

// electron-vite preview builds main, preload and renderer, then launches Electron on them.
const app = spawn(process.execPath, [electronVite, 'preview'], { stdio: 'inherit' });
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
