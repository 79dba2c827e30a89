// What the dashboard knows beyond the deps' calls: the recent finished updates (the session's,
// after the history store's from earlier sessions), and the views built from them.
import type { UpdateRecord } from '../../model/update.js';
import type { DashboardState, HistoryPoint, HistoryResponse, ServiceView } from './api.js';
import type { DashboardDeps } from './deps.js';

export const RECENT_UPDATES = 200;

/** A bounded list of finished updates, oldest first, kept from the event stream. */
export class RecentUpdates {
  readonly #records: UpdateRecord[] = [];
  readonly #keys = new Set<string>();
  readonly #off: () => void;

  constructor(deps: DashboardDeps) {
    // Earlier sessions' updates first, so the page has a history before the first save.
    const earlier = deps.history?.updates({ limit: RECENT_UPDATES }) ?? [];
    for (const record of [...earlier].reverse()) this.#add(record);
    this.#off = deps.events.on((event) => {
      if (event.type === 'update-finished') this.#add(event.record);
    });
  }

  get all(): UpdateRecord[] {
    return this.#records;
  }

  #add(record: UpdateRecord): void {
    // Ids restart with each session and the history store numbers records its own way, so an
    // update is known by its service and start time.
    const key = recordKey(record);
    if (this.#keys.has(key)) return;
    this.#keys.add(key);
    this.#records.push(record);
    while (this.#records.length > RECENT_UPDATES) {
      const dropped = this.#records.shift();
      if (dropped) this.#keys.delete(recordKey(dropped));
    }
  }

  close(): void {
    this.#off();
  }
}

function recordKey(record: UpdateRecord): string {
  return `${record.service}@${Math.round(record.startedAt)}`;
}

export function buildState(deps: DashboardDeps, recent: RecentUpdates): DashboardState {
  const status = new Map(deps.status().map((s) => [s.name, s]));
  const services: ServiceView[] = deps.services.map((service) => {
    const s = status.get(service.name);
    return {
      ...service,
      state: s?.state ?? 'pending',
      detail: s?.detail,
      instance: s?.instance,
      lastUpdate: s?.lastUpdate,
    };
  });
  return {
    project: { name: deps.project.name, root: deps.project.root },
    services,
    updates: recent.all,
    advice: deps.advice(),
    historyAvailable: deps.history !== undefined,
  };
}

/** Edit-to-live points, oldest first: from the history store when there is one. */
export function historyPoints(
  deps: DashboardDeps,
  recent: RecentUpdates,
  service: string | undefined,
  limit: number,
): HistoryResponse {
  const records = deps.history
    ? [...deps.history.updates({ service, limit })].reverse()
    : recent.all.filter((r) => service === undefined || r.service === service).slice(-limit);
  const points: HistoryPoint[] = [];
  for (const r of records) {
    if (r.editToLiveMs === undefined || r.outcome === 'failed' || r.outcome === 'cancelled') continue;
    points.push({
      service: r.service,
      id: r.id,
      at: r.startedAt,
      editToLiveMs: r.editToLiveMs,
      kind: r.kind,
    });
  }
  return { source: deps.history ? 'history' : 'session', points };
}
