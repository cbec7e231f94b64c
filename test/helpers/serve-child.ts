// Browser mode's server in a process of its own, so a test sees it exit: args are the lab's
// home and the static folder; it prints {"port", "token"} as one line once listening.
import { createLabService } from '../../src/lab/service';
import { startServer } from '../../src/server/server';

const [home, staticDir] = process.argv.slice(2);
const service = await createLabService({ home, cacheDir: `${home}/cache` });
const server = await startServer({ service, staticDir });
process.stdout.write(`${JSON.stringify({ port: server.port, token: server.token })}\n`);
process.on('warning', (warning) => process.stderr.write(`${warning.name}: ${warning.message}\n`));
process.on('SIGTERM', () => void server.close().then(() => service.close()).then(() => process.exit(0)));
