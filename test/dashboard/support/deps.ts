// Real DashboardDeps for the dashboard's tests: the real EventBus, LogStore and (in-memory)
// history store, and small in-memory status and advice kept from the same event stream, as the
// session keeps them. Tests drive everything by emitting events on the bus, as the engine does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServiceStatus } from '../../../src/engine/session.js';
import { EventBus } from '../../../src/events.js';
import { MemoryHistoryStore } from '../../../src/history/memory-store.js';
import type { Suggestion } from '../../../src/history/types.js';
import { LogStore } from '../../../src/logs/log-store.js';
import type { Span, UpdateRecord } from '../../../src/model/update.js';
import type { DashboardDeps, DashboardService } from '../../../src/ui/dashboard/deps.js';

export interface TestDeps extends DashboardDeps {
  events: EventBus;
  /** Every `trigger` call, in order. */
  triggered: string[];
  historyStore: MemoryHistoryStore;
  suggestions: Suggestion[];
  dispose(): Promise<void>;
}

export function makeDeps(names = ['api', 'web'], options: { history?: boolean } = {}): TestDeps {
  const events = new EventBus();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitstop-dashboard-'));
  const logs = new LogStore(stateDir, names);
  const historyStore = new MemoryHistoryStore();
  const status = new Map<string, ServiceStatus>(names.map((name) => [name, { name, state: 'pending' }]));
  const triggered: string[] = [];
  const suggestions: Suggestion[] = [];
  let nextId = 1000;

  events.on((event) => {
    if (event.type === 'log') logs.add(event);
    if (event.type === 'service-state') {
      const s = status.get(event.service);
      if (s) Object.assign(s, { state: event.state, detail: event.detail });
    }
    if (event.type === 'update-finished') {
      const s = status.get(event.record.service);
      if (s) s.lastUpdate = event.record;
      historyStore.record(event.record);
    }
  });

  const services: DashboardService[] = names.map((name, i) => ({
    name,
    runtime: i % 2 ? 'docker' : 'local',
    endpoints: [`http://127.0.0.1:${18080 + i}/`],
    dependsOn: i > 0 ? [names[0] as string] : [],
  }));

  return {
    project: { name: 'shop', root: stateDir },
    services,
    events,
    status: () => [...status.values()],
    async trigger(service) {
      triggered.push(service);
      const record = sampleRecord(service, nextId++, { kind: 'trigger' });
      events.emit({ type: 'update-finished', record });
      return record;
    },
    logs: (service, limit) => logs.lines(service, limit),
    history: options.history === false ? undefined : historyStore,
    advice: () => suggestions,
    triggered,
    historyStore,
    suggestions,
    async dispose() {
      await logs.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** An update as the engine records one: detect, plan, an image build with stages, sync, restart, ready. */
export function sampleRecord(
  service: string,
  id: number,
  options: { kind?: UpdateRecord['kind']; startedAt?: number; editToLiveMs?: number; failed?: boolean } = {},
): UpdateRecord {
  const t0 = options.startedAt ?? Date.now() - 500;
  let t = t0;
  const span = (name: Span['name'], ms: number, extra: Partial<Span> = {}): Span => {
    const s: Span = { name, startedAt: t, durationMs: ms, outcome: 'ok', ...extra };
    t += ms;
    return s;
  };
  const detect = span('detect', 11);
  const plan = span('plan', 0.4, { detail: 'main.go is a build input' });
  const stagesStart = t;
  const stages = [
    span('build', 120, { detail: 'go mod download' }),
    span('build', 180, { detail: 'go build' }),
  ];
  const image: Span = {
    name: 'image',
    startedAt: stagesStart,
    durationMs: t - stagesStart,
    outcome: 'ok',
    children: stages,
  };
  const sync = span('sync', 6, { bytes: 48_213 });
  const restart = span('restart', 9, options.failed ? { outcome: 'failed' } : {});
  const ready = span('ready', 21);
  const spans = options.failed
    ? [detect, plan, image, sync, restart]
    : [detect, plan, image, sync, restart, ready];
  return {
    id,
    service,
    kind: options.kind ?? 'live',
    files: ['api/main.go'],
    fileCount: 1,
    spans,
    startedAt: t0,
    finishedAt: t,
    outcome: options.failed ? 'failed' : 'ok',
    editToLiveMs: options.failed ? undefined : (options.editToLiveMs ?? t - t0),
    ...(options.failed
      ? { error: { step: 'restart', message: 'exit status 1', logTail: ['panic: boom'] } }
      : {}),
  };
}

export const sampleSuggestion: Suggestion = {
  rule: 'host-compile',
  service: 'api',
  title: 'Compile on the host and ship only the binary',
  detail: 'live_update:\n  - sync: { from: bin/api, to: /app/api }\n  - restart: process',
  savingMs: 1800,
  evidence: ['image builds took 2.1 s (median of 12)', 'the host compiles in 0.3 s'],
};
