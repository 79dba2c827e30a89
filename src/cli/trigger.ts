import pc from 'picocolors';
import { request } from '../control/client.js';
import { readLiveSession } from '../control/session-file.js';
import { PitstopError } from '../errors.js';
import type { UpdateRecord } from '../model/update.js';
import { formatSpans, updateTotalMs } from '../ui/terminal/steps.js';
import { formatMs } from '../util/format.js';
import { EXIT } from './exit-codes.js';
import { type GlobalOptions, openProject, requireService } from './project.js';

export async function triggerCommand(name: string, options: GlobalOptions): Promise<number> {
  const project = await openProject(options);
  requireService(project, name);
  const live = readLiveSession(project.stateDir);
  if (!live) {
    throw new PitstopError(`pitstop is not running for ${project.name}`, {
      hint: 'start it with `pitstop up`',
      exitCode: EXIT.NOT_RUNNING,
    });
  }
  const { record } = await request<{ record: UpdateRecord }>(
    live.socket,
    'POST',
    `/trigger/${encodeURIComponent(name)}`,
  );
  if (options.json) process.stdout.write(`${JSON.stringify(record)}\n`);
  else if (record.outcome === 'ok') {
    process.stdout.write(
      `${pc.green('✓')} ${name} rebuilt and restarted in ${formatMs(updateTotalMs(record))}  ${pc.dim(formatSpans(record.spans))}\n`,
    );
  } else {
    process.stdout.write(`${pc.red('✗')} ${name}: ${record.error?.message ?? record.outcome}\n`);
  }
  return record.outcome === 'ok' ? EXIT.OK : EXIT.FAILED;
}
