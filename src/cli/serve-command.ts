import type { Command } from './command';
import { intFlag } from './output';
import { createLabService } from '../lab/service';
import { defaultStaticDir, startServer } from '../server/server';
import { labHome } from '../files/lab-home';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const serveCommand: Command = {
  name: 'serve',
  usage: 'serve [--port N]',
  summary: 'the lab in your browser, on 127.0.0.1 only (needs `npm run build` first)',
  options: { port: { type: 'string' } },
  async run(values) {
    const staticDir = defaultStaticDir();
    if (!existsSync(join(staticDir, 'index.html'))) throw new Error(`the renderer is not built (${staticDir} is missing); run \`npm run build\` first`);
    const service = await createLabService({ home: labHome() });
    const server = await startServer({ service, staticDir, port: intFlag(values.port, 'port', 0, 65535) });
    process.stdout.write(`Digit Lab: ${server.url}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    await service.close();
  },
};
