// The composition root: builds every part of a session and wires them together. Nothing else
// constructs runtimes, watchers or stores, and no part reaches for another except through here.
import { BuildCache } from './build/build-cache.js';
import { Builder } from './build/builder.js';
import { FileHashes } from './build/file-hashes.js';
import { InputHasher } from './build/input-hash.js';
import { type ControlServer, startControlServer } from './control/server.js';
import { removeSession, socketPath, writeSession } from './control/session-file.js';
import { Session } from './engine/session.js';
import type { EventBus } from './events.js';
import { MemoryHistoryStore } from './history/memory-store.js';
import { createOtlpExporter } from './history/otlp.js';
import { openHistory } from './history/sqlite-store.js';
import type { HistoryStore } from './history/types.js';
import { LogStore } from './logs/log-store.js';
import type { Project, Service } from './model/project.js';
import { ProcessRegistry } from './proc/registry.js';
import { runCommand } from './proc/run-command.js';
import { createLocalRuntime } from './runtimes/local/index.js';
import { makeRedactor } from './util/redact.js';
import { createIgnoreRules } from './watch/ignore-rules.js';
import { startProjectWatcher } from './watch/project-watcher.js';
import { routeChanges } from './watch/router.js';

export interface AppOptions {
  project: Project;
  /** The services to run (the selection plus its dependencies), in file order. */
  services: Service[];
  events: EventBus;
  /** Watch files and keep services live; false for `pitstop ci`. */
  watch: boolean;
  /** Serve the web dashboard on this loopback port (0: any free one); absent: no dashboard. */
  dashboard?: { port: number };
}

export interface App {
  session: Session;
  history: HistoryStore;
  start(): Promise<void>;
  stop(reason: string): Promise<void>;
}

export async function createApp({
  project,
  services,
  events,
  watch,
  dashboard: ui,
}: AppOptions): Promise<App> {
  // The session sees only the selected services; watching and routing follow the same view.
  const scoped: Project = { ...project, services, locate: project.locate };
  const registry = new ProcessRegistry(project.stateDir);
  const local = createLocalRuntime(project, registry);
  const files = new FileHashes();
  // Docker is contacted only when a selected service runs there: a local project needs no daemon.
  const docker = services.some((s) => s.runtime === 'docker')
    ? (await import('./runtimes/docker/index.js')).createDockerRuntime(project, files, (service, message) =>
        events.emit({ type: 'warning', service, message }),
      )
    : undefined;
  const runtimes = [local, ...(docker ? [docker] : [])];
  const ignore = createIgnoreRules(scoped);
  const builder = new Builder(new InputHasher(ignore, files), new BuildCache(project.stateDir), registry);
  const logs = new LogStore(
    project.stateDir,
    services.map((s) => s.name),
  );
  const warn = (message: string) => events.emit({ type: 'warning', message });
  // History and traces read the same event stream as everything else, after each update ends.
  // PITSTOP_HISTORY=off keeps history in memory only (the benchmark compares with and without).
  const history =
    process.env.PITSTOP_HISTORY === 'off'
      ? new MemoryHistoryStore()
      : openHistory({ stateDir: project.stateDir, project: project.name, onProblem: warn });
  const traces = createOtlpExporter({ project: project.name, onProblem: warn });
  const stopRecording = events.on((e) => {
    if (e.type !== 'update-finished') return;
    history.record(e.record);
    traces?.export(e.record);
  });
  const session = new Session({
    project: scoped,
    services,
    runtimeFor: (service) => (service.runtime === 'docker' && docker ? docker : local),
    stopRuntimes: async () => {
      await Promise.all(runtimes.map((r) => r.stopAll()));
    },
    builder,
    events,
    logs,
    failFast: !watch,
    redact: makeRedactor(project.secrets),
    route: (changes) => routeChanges(scoped, changes),
    runCheck: async (cmd, signal) => {
      const result = await runCommand(cmd, {
        cwd: project.root,
        env: process.env as Record<string, string>,
        onLine: () => {},
        signal,
        registry,
        role: 'exec',
      });
      return result.code;
    },
  });

  let watcher: { close(): Promise<void> } | undefined;
  let control: ControlServer | undefined;
  let dashboard: { close(): Promise<void> } | undefined;
  let stopped: Promise<void> | undefined;

  return {
    session,
    history,
    async start() {
      for (const runtime of runtimes) {
        for (const removed of await runtime.recover()) events.emit({ type: 'warning', message: removed });
      }
      const socket = socketPath(project.stateDir);
      const startedAt = Date.now();
      control = await startControlServer(socket, {
        events,
        trigger: (name) => session.trigger(name),
        status: () => ({ project: project.name, pid: process.pid, startedAt, services: session.status() }),
      });
      writeSession(project.stateDir, {
        socket,
        startedAt,
        project: project.name,
        services: services.map((s) => s.name),
      });
      if (ui) {
        // Loaded only when asked for: `pitstop ci` and `--no-ui` never load the dashboard's code.
        const { startDashboard } = await import('./ui/dashboard/server.js');
        const { describeServices } = await import('./ui/dashboard/describe-services.js');
        const { advise } = await import('./history/advisor.js');
        const { dockerfileFacts } = await import('./history/advisor-facts.js');
        const started = await startDashboard(
          {
            project: { name: project.name, root: project.root },
            services: describeServices(services),
            events,
            status: () => session.status(),
            trigger: (name) => session.trigger(name),
            logs: (service, limit) => logs.lines(service, limit),
            history,
            advice: () =>
              advise(
                project,
                services.flatMap((s) => history.updates({ service: s.name, limit: 200 })),
                { dockerfileAdvice: dockerfileFacts(project) },
              ),
          },
          { port: ui.port },
        );
        dashboard = started;
        events.emit({ type: 'dashboard', url: started.url });
      }
      if (watch) {
        // Watching starts before any build so an edit made during startup is never missed.
        watcher = await startProjectWatcher(scoped, {
          rules: ignore,
          onBatch: (batch) => {
            files.invalidate(batch.changes.map((c) => c.path));
            session.applyBatch(batch);
          },
          onWarning: (message) => events.emit({ type: 'warning', message }),
          onError: (err) => events.emit({ type: 'error', message: err.message }),
        });
      }
      session.start();
    },
    stop(reason) {
      stopped ??= (async () => {
        await watcher?.close();
        await session.stop(reason);
        await dashboard?.close();
        stopRecording();
        history.close();
        await traces?.close();
        await control?.close();
        await logs.close();
        removeSession(project.stateDir);
      })();
      return stopped;
    },
  };
}
