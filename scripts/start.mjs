// `npm start`: the desktop lab when Electron's binary can be had; otherwise one clear line
// pointing to the browser mode (npm run web), never a stack trace.
import { spawn, spawnSync } from 'node:child_process';

// Electron 45 downloads its binary on first use; give that a bounded time.
const ELECTRON_PROBE_TIMEOUT_MS = 120_000;

const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
  encoding: 'utf8',
  timeout: ELECTRON_PROBE_TIMEOUT_MS,
});
if (probe.status !== 0 || !probe.stdout) {
  const reason = probe.error?.code === 'ETIMEDOUT' ? 'its download timed out' : 'its binary is not installed and could not be downloaded';
  console.error(`Digit Lab: Electron could not be started here (${reason}). Run the lab in your browser instead: npm run web`);
  process.exit(1);
}
const child = spawn('npx', ['electron-vite', 'preview'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
