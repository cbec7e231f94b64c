// The lab's start in a fresh process (as serve or the desktop app starts it): the home's sweep
// and run recovery run, then it prints the run list as one JSON line and stops.
import { createLabService } from '../../src/lab/service';

const service = await createLabService({ home: process.argv[2] });
process.stdout.write(`${JSON.stringify(await service.call('runs.list', null))}\n`);
await service.close();
