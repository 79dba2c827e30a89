// `pitstop down`: stop the session of this project from anywhere, then remove whatever an
// earlier, crashed session left behind. Only processes pitstop itself recorded are touched.
import { readLiveSession } from '../control/session-file.js';
import { ProcessRegistry } from '../proc/registry.js';
import { EXIT } from './exit-codes.js';
import { type GlobalOptions, openProject } from './project.js';

const WAIT_MS = 30_000;

export async function downCommand(options: GlobalOptions & { volumes?: boolean }): Promise<number> {
  const project = await openProject(options);
  const done: string[] = [];
  const live = readLiveSession(project.stateDir);
  if (live) {
    process.kill(live.pid, 'SIGTERM');
    const deadline = Date.now() + WAIT_MS;
    while (readLiveSession(project.stateDir) && Date.now() < deadline) await sleep(50);
    if (readLiveSession(project.stateDir)) {
      // The session did not stop in time: stop its processes ourselves, then the session.
      process.kill(live.pid, 'SIGKILL');
    }
    done.push(`stopped the session (pid ${live.pid}) and its ${live.services.length} services`);
  }
  const swept = await new ProcessRegistry(project.stateDir).sweep();
  done.push(...swept);
  const uses = project.services.some((s) => s.runtime === 'docker');
  const { dockerWasUsed, removeDockerResources } = await import('../runtimes/docker/cleanup.js');
  if (uses || dockerWasUsed(project.stateDir)) {
    done.push(...(await removeDockerResources(project, { volumes: Boolean(options.volumes) })));
  }
  if (options.json) process.stdout.write(`${JSON.stringify({ stopped: done })}\n`);
  else process.stdout.write(done.length ? `${done.join('\n')}\n` : `nothing running for ${project.name}\n`);
  return EXIT.OK;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
