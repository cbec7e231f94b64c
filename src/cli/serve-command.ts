import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from './command';
import { intFlag } from './output';
import { createLabService } from '../lab/service';
import { defaultStaticDir, startServer, type LabServer } from '../server/server';
import { labHome } from '../files/lab-home';

export const serveCommand: Command = {
  name: 'serve',
  usage: 'serve [--port N]',
  summary: 'the lab in your browser, on 127.0.0.1 only (npm run web builds it first)',
  help: 'Prints the address to open, with its token, and serves until Ctrl+C.\n',
  options: { port: { type: 'string' } },
  async run(values) {
    const port = intFlag(values.port, 'port', 0, 65535);
    const staticDir = defaultStaticDir();
    if (!existsSync(join(staticDir, 'index.html'))) throw new Error(`the renderer is not built (${staticDir} is missing); run \`npm run web\`, or \`npm run build\` first`);
    const service = await createLabService({ home: labHome() });
    let server: LabServer;
    try {
      server = await startServer({ service, staticDir, port });
    } catch (error) {
      await service.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${port} is in use; pick another with --port N (0 for any free one)`);
      throw error;
    }
    process.stdout.write(`Digit Lab: ${server.url}\n`);
    // Kept listening: Ctrl+C reaches both `npm run web` and this process, and a second signal
    // must not cut the clean close short.
    await new Promise<void>((stop) => {
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    await service.close();
  },
};
