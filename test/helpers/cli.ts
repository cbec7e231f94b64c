// The digit-lab command run as a user runs it: a child process, with its exit code and output.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const BIN = new URL('../../bin/digit-lab.js', import.meta.url).pathname;

/**
 * TensorFlow's own two-line notice when the tensorflow engine loads: absl writes it before
 * TF_CPP_MIN_LOG_LEVEL applies (README, Limits). Only these exact lines are set aside.
 */
const TENSORFLOW_NOTICE = /^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR|I\d{4} [\d:. ]+\d+ port\.cc:\d+\] oneDNN custom operations are on\..*)\n/gm;

export interface CliResult {
  code: number;
  stdout: string;
  /** what the lab wrote to stderr (TensorFlow's load notice set aside) */
  stderr: string;
}

/** Runs `digit-lab ...args`; with `home`, the lab's home and MNIST cache are in that folder. */
export function runCli(args: string[], home?: string): Promise<CliResult> {
  const env = home ? { ...process.env, DIGIT_LAB_HOME: home, DIGIT_LAB_CACHE: join(home, 'cache') } : process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr: stderr.replace(TENSORFLOW_NOTICE, '') });
    });
  });
}
