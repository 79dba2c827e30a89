// Everything the page shows, kept up to date from the event stream. Events change the store at
// once; views redraw at most once per animation frame, however many events a frame brought.
import type {
  HistoryPoint,
  PitstopEvent,
  ServiceView,
  StreamSnapshot,
  Suggestion,
  UpdateRecord,
} from '../api.js';
import { formatBytes } from './format.js';
import { LogBuffer } from './log-buffer.js';

const MAX_UPDATES = 200;

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export function recordKey(r: { service: string; id: number; startedAt: number }): string {
  return `${r.service}#${r.id}@${Math.round(r.startedAt)}`;
}

const runningKey = (service: string, id: number) => `${service}#${id}`;

// The history store numbers updates its own way: a point is known by service and start time.
const trendKey = (service: string, at: number) => `${service}@${Math.round(at)}`;

export interface UpdateItem {
  key: string;
  record: UpdateRecord;
  running: boolean;
}

export class Store {
  project = { name: '', root: '' };
  services: ServiceView[] = [];
  /** Finished updates, oldest first. */
  updates: UpdateRecord[] = [];
  /** Updates in progress, built from their `update-started` and `step` events. */
  readonly running = new Map<string, UpdateRecord>();
  advice: Suggestion[] = [];
  /** What a long step of a running update is doing now (an image build's stage, bytes sent). */
  readonly progress = new Map<string, string>();
  readonly logs = new LogBuffer();
  readonly #trend = new Map<string, HistoryPoint>();
  trendVersion = 0;
  connection: Connection = 'connecting';
  /** Narrows logs, updates and the trend to one service; null shows all. */
  selectedService: string | null = null;
  /** The update whose waterfall is shown; null follows the newest. */
  selectedUpdate: string | null = null;
  /** Bumped by every change but log lines. */
  version = 0;
  readonly #listeners = new Set<() => void>();
  #frame = 0;

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Something changed: views redraw on the next frame. Only the log view redraws for log lines
   * (`version` stays), so a chatty service doesn't re-diff the rest of the page every frame.
   */
  changed(logsOnly = false): void {
    if (!logsOnly) this.version++;
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      for (const listener of this.#listeners) listener();
    });
  }

  applySnapshot(snapshot: StreamSnapshot): void {
    this.project = snapshot.project;
    this.services = snapshot.services;
    this.updates = snapshot.updates.slice(-MAX_UPDATES);
    this.advice = snapshot.advice;
    // Updates that were running when the stream broke are told again by their finish or not at all.
    this.running.clear();
    this.progress.clear();
    // After a reconnect the snapshot repeats lines the page already has; only newer ones are new.
    const lastAt = this.logs.lastAt;
    this.logs.push(snapshot.logs.filter((l) => l.at > lastAt));
    for (const record of this.updates) this.#addTrend(record);
    this.connection = 'live';
    this.changed();
  }

  apply(event: PitstopEvent): void {
    switch (event.type) {
      case 'service-state': {
        const service = this.service(event.service);
        if (service) {
          service.state = event.state;
          service.detail = event.detail;
        }
        break;
      }
      case 'update-started':
        this.running.set(runningKey(event.service, event.id), {
          id: event.id,
          service: event.service,
          kind: event.kind,
          files: [],
          fileCount: 0,
          spans: [],
          startedAt: event.at,
        });
        break;
      case 'step':
        this.running.get(runningKey(event.service, event.id))?.spans.push(event.span);
        break;
      case 'progress': {
        const amount =
          event.bytes !== undefined && event.totalBytes
            ? ` ${formatBytes(event.bytes)}/${formatBytes(event.totalBytes)}`
            : '';
        this.progress.set(event.service, `${event.step}: ${event.detail}${amount}`);
        break;
      }
      case 'update-finished':
        this.#finish(event.record);
        break;
      case 'log':
        this.logs.push([{ at: event.at, service: event.service, stream: event.stream, line: event.line }]);
        this.changed(true);
        return;
      case 'session-stopped':
        this.connection = 'stopped';
        break;
      default:
        return;
    }
    this.changed();
  }

  setAdvice(advice: Suggestion[]): void {
    this.advice = advice;
    this.changed();
  }

  setConnection(connection: Connection): void {
    if (this.connection === 'stopped') return;
    this.connection = connection;
    this.changed();
  }

  addHistory(points: HistoryPoint[]): void {
    for (const p of points) this.#trend.set(trendKey(p.service, p.at), p);
    this.trendVersion++;
    this.changed();
  }

  selectService(name: string | null): void {
    this.selectedService = name;
    this.selectedUpdate = null;
    this.logs.setFilter({ ...this.logs.filter, service: name });
    this.trendVersion++;
    this.changed();
  }

  setLogQuery(query: string): void {
    this.logs.setFilter({ ...this.logs.filter, query });
    this.changed(true);
  }

  selectUpdate(key: string | null): void {
    this.selectedUpdate = key;
    this.changed();
  }

  service(name: string): ServiceView | undefined {
    return this.services.find((s) => s.name === name);
  }

  /** Running updates, then finished ones, newest first, of the selected service (or all). */
  updateItems(): UpdateItem[] {
    const mine = (r: UpdateRecord) => this.selectedService === null || r.service === this.selectedService;
    const items: UpdateItem[] = [];
    for (const [key, record] of this.running) if (mine(record)) items.unshift({ key, record, running: true });
    for (let i = this.updates.length - 1; i >= 0; i--) {
      const record = this.updates[i] as UpdateRecord;
      if (mine(record)) items.push({ key: recordKey(record), record, running: false });
    }
    return items;
  }

  /** The update to draw: the chosen one, or the newest. */
  selectedItem(items: UpdateItem[]): UpdateItem | undefined {
    return (this.selectedUpdate && items.find((i) => i.key === this.selectedUpdate)) || items[0];
  }

  /** Edit-to-live points of the selected service (or all), oldest first. */
  trendPoints(): HistoryPoint[] {
    const points = [...this.#trend.values()].filter(
      (p) => this.selectedService === null || p.service === this.selectedService,
    );
    return points.sort((a, b) => a.at - b.at);
  }

  #finish(record: UpdateRecord): void {
    const live = runningKey(record.service, record.id);
    this.running.delete(live);
    this.progress.delete(record.service);
    // A chosen update that was still running stays chosen once it has finished.
    if (this.selectedUpdate === live) this.selectedUpdate = recordKey(record);
    this.updates.push(record);
    if (this.updates.length > MAX_UPDATES) this.updates.splice(0, this.updates.length - MAX_UPDATES);
    const service = this.service(record.service);
    if (service) service.lastUpdate = record;
    this.#addTrend(record);
  }

  #addTrend(record: UpdateRecord): void {
    if (record.editToLiveMs === undefined || record.outcome !== 'ok') return;
    const point = {
      service: record.service,
      id: record.id,
      at: record.startedAt,
      editToLiveMs: record.editToLiveMs,
      kind: record.kind,
    };
    this.#trend.set(trendKey(record.service, record.startedAt), point);
    this.trendVersion++;
  }
}
