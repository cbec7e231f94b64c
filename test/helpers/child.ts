// Runs a test helper script under tsx in a child process with a deadline; a child still running
// at the deadline is killed and the run fails as a hang.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function runHelper(script: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', path, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 2 ** 20, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      if (error?.killed) reject(new Error(`${script} hung: still running after ${timeoutMs} ms`));
      else if (error) reject(new Error(`${script} failed (${error.code}): ${stderr}`));
      else resolve(stdout);
    });
  });
}
