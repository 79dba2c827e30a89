import type { UpdateRecord } from '../model/update.js';
import { timingTable } from '../ui/terminal/timing-table.js';
import { formatMs } from '../util/format.js';
import { EXIT } from './exit-codes.js';
import { type GlobalOptions, openProject, selectServices } from './project.js';
import { reportError } from './report-error.js';
import { startSession } from './run-session.js';

const SETTLE_MS = 300;

export async function ciCommand(
  names: string[],
  options: GlobalOptions & { timeout?: string },
): Promise<number> {
  const project = await openProject(options);
  const services = selectServices(project, names);
  const json = Boolean(options.json);
  const { app, events, interrupted } = await startSession(project, services, { json, watch: false });
  const records: UpdateRecord[] = [];
  events.on((e) => {
    if (e.type === 'update-finished') records.push(e.record);
  });
  const started = performance.now();
  let code: number = EXIT.OK;
  try {
    await app.start();
    const outcome = await Promise.race([
      app.session.settled().then((ok) => (ok ? 'ready' : 'failed')),
      interrupted.then(() => 'interrupted'),
    ]);
    code = outcome === 'ready' ? EXIT.OK : outcome === 'interrupted' ? EXIT.INTERRUPTED : EXIT.FAILED;
    if (code === EXIT.OK) {
      // A service with nothing to wait for is "ready" the moment it starts; give one that dies at
      // once the moment it needs to, so `ci` never passes a crash.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      if (app.session.status().some((s) => s.state === 'failed' || s.state === 'crashed')) code = EXIT.FAILED;
    }
  } catch (err) {
    code = reportError(err, json);
  }
  await app.stop(code === EXIT.OK ? 'ci finished' : 'ci failed');
  if (!json) {
    process.stdout.write(`\n${timingTable(app.session.status(), records)}\n`);
    const total = formatMs(performance.now() - started);
    process.stdout.write(
      code === EXIT.OK ? `ci: all services ready (${total})\n` : `ci: failed after ${total}\n`,
    );
  }
  return code;
}
