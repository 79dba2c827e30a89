// `pitstop up` and `pitstop ci` share one lifecycle: load, refuse a second session, start,
// and on Ctrl-C/SIGTERM stop everything in order before exiting.
import { readLiveSession } from '../control/session-file.js';
import { PitstopError } from '../errors.js';
import { EventBus } from '../events.js';
import type { App } from '../main.js';
import type { Project, Service } from '../model/project.js';
import { attachJsonView } from '../ui/json-view.js';
import { attachTerminalView } from '../ui/terminal/terminal-view.js';
import { EXIT } from './exit-codes.js';

export interface SessionRun {
  app: App;
  events: EventBus;
  /** Resolves with the signal name when the user asks pitstop to stop. */
  interrupted: Promise<string>;
}

export async function startSession(
  project: Project,
  services: Service[],
  options: { json: boolean; watch: boolean; dashboard?: { port: number } },
): Promise<SessionRun> {
  const live = readLiveSession(project.stateDir);
  if (live) {
    throw new PitstopError(`pitstop is already running for ${project.name} (pid ${live.pid})`, {
      hint: 'use `pitstop status` to see it, or `pitstop down` to stop it first',
      exitCode: EXIT.USAGE,
    });
  }
  if (services.some((s) => s.runtime === 'docker')) {
    // Never fight `docker compose` over the same project's ports and volumes.
    const { DockerClient } = await import('../runtimes/docker/api/index.js');
    const { refuseComposeConflict } = await import('../config/compose/conflict.js');
    const client = DockerClient.fromEnv();
    try {
      await refuseComposeConflict(project, client);
    } finally {
      client.close();
    }
  }
  // A reader that goes away (`pitstop up | head`) must not crash pitstop mid-session: its output
  // is simply dropped, and stopping still cleans up.
  process.stdout.on('error', () => {});
  const events = new EventBus();
  if (options.json) attachJsonView(events, process.stdout);
  else {
    attachTerminalView(events, {
      out: process.stdout,
      root: project.root,
      services: services.map((s) => s.name),
      statusLine: Boolean(process.stdout.isTTY) && options.watch,
    });
  }

  // Handlers go in before anything starts so a signal during startup still cleans up.
  let signalled: (name: string) => void = () => {};
  const interrupted = new Promise<string>((resolve) => (signalled = resolve));
  let count = 0;
  const onSignal = (name: NodeJS.Signals) => {
    count++;
    if (count === 1) signalled(name);
    else if (count >= 3) process.exit(EXIT.INTERRUPTED);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);

  const { createApp } = await import('../main.js');
  const app = await createApp({
    project,
    services,
    events,
    watch: options.watch,
    dashboard: options.dashboard,
  });
  return { app, events, interrupted };
}
