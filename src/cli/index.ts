// `digit-lab`: the lab from a terminal. Every command takes --json for scripts.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { COMMANDS, type Command } from './commands';
import { UsageError } from './errors';
import { errorDocument } from './error-codes';

const USAGE = `Usage: digit-lab <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.usage.padEnd(44)} ${c.summary}`).join('\n')}

Every command takes --json (one JSON document on stdout) and --help.`;


function find(name: string | undefined): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(name ? `unknown command "${name}"; the commands are: ${COMMANDS.map((c) => c.name).join(', ')}` : 'no command given');
  return command;
}

async function main(argv: string[]): Promise<void> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const command = find(argv[0]);
  const config: ParseArgsConfig = {
    args: argv.slice(1),
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...command.options },
    allowPositionals: true,
    strict: true,
  };
  let parsed;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    throw new UsageError(`${command.name}: ${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}`);
  }
  if (parsed.values.help) {
    process.stdout.write(`Usage: digit-lab ${command.usage}\n${command.summary}\n${command.help ?? ''}`);
    return;
  }
  await command.run(parsed.values as Record<string, string | boolean | string[] | undefined>, parsed.positionals);
}

/** Ends the process once stdout has taken everything written: a large --json document into a pipe is not cut short. */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(
  () => {
    // tfjs and the worker may keep handles open; a finished command ends the process.
    exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  },
  (error: unknown) => {
    const document = errorDocument(error);
    // With --json a script reads the error from stdout; people still see it on stderr.
    if (process.argv.slice(2).includes('--json')) process.stdout.write(JSON.stringify({ error: document }, null, 2) + '\n');
    process.stderr.write(`digit-lab: ${document.message}\n`);
    if (error instanceof UsageError) process.stderr.write('Run `digit-lab --help` for the commands.\n');
    exit(error instanceof UsageError ? 2 : 1);
  },
);
