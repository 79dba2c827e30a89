import pc from 'picocolors';
import { request } from '../control/client.js';
import { readLiveSession } from '../control/session-file.js';
import type { ServiceStatus } from '../engine/session.js';
import { formatSpans, updateTotalMs } from '../ui/terminal/steps.js';
import { formatMs } from '../util/format.js';
import { EXIT } from './exit-codes.js';
import { type GlobalOptions, openProject } from './project.js';

interface StatusReply {
  project: string;
  pid: number;
  startedAt: number;
  services: ServiceStatus[];
}

export async function statusCommand(options: GlobalOptions): Promise<number> {
  const project = await openProject(options);
  const live = readLiveSession(project.stateDir);
  if (!live) {
    if (options.json) process.stdout.write(`${JSON.stringify({ running: false, project: project.name })}\n`);
    else process.stdout.write(`pitstop is not running for ${project.name}\n`);
    return EXIT.NOT_RUNNING;
  }
  const status = await request<StatusReply>(live.socket, 'GET', '/status');
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ running: true, ...status })}\n`);
    return EXIT.OK;
  }
  const uptime = formatMs(Date.now() - status.startedAt);
  const lines = [pc.bold(`${status.project} · pid ${status.pid} · up ${uptime}`)];
  const width = Math.max(...status.services.map((s) => s.name.length), 7);
  for (const s of status.services) {
    const last = s.lastUpdate;
    const lastText = last
      ? `last ${last.kind} ${last.outcome} in ${formatMs(updateTotalMs(last))}: ${formatSpans(last.spans)}`
      : '';
    lines.push(
      `${s.name.padEnd(width)}  ${s.state.padEnd(8)}  ${s.instance ?? ''}  ${pc.dim(s.detail ?? '')}`,
    );
    if (lastText) lines.push(`${' '.repeat(width)}  ${pc.dim(lastText)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return status.services.some((s) => s.state === 'failed') ? EXIT.FAILED : EXIT.OK;
}
