// Everything the dashboard reads and does, handed to it by the composition root. The dashboard
// never reaches into the engine: it reads the event stream and these few calls.
import type { ServiceStatus } from '../../engine/session.js';
import type { EventBus } from '../../events.js';
import type { HistoryStore, Suggestion } from '../../history/types.js';
import type { LogLine } from '../../logs/log-store.js';
import type { UpdateRecord } from '../../model/update.js';

export interface DashboardService {
  name: string;
  runtime: string;
  /** URLs to open (from the service's http readiness check or published ports). */
  endpoints: string[];
  dependsOn: string[];
}

export interface DashboardDeps {
  project: { name: string; root: string };
  services: DashboardService[];
  events: EventBus;
  status(): ServiceStatus[];
  /** Rebuild and restart now; resolves with the update's record. */
  trigger(service: string): Promise<UpdateRecord>;
  /** The last `limit` lines of one service (or all, merged by time). */
  logs(service: string | undefined, limit: number): LogLine[];
  history?: HistoryStore;
  advice(): Suggestion[];
}
