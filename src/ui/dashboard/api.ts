// The dashboard's wire format: what the server sends and the page reads. Types only, so the
// page can import them without pulling any server code into the browser.
import type { PitstopEvent } from '../../events.js';
import type { Suggestion } from '../../history/types.js';
import type { LogLine } from '../../logs/log-store.js';
import type { UpdateRecord } from '../../model/update.js';
import type { DashboardService } from './deps.js';

export type { LogLine, PitstopEvent, Suggestion, UpdateRecord };

export interface ServiceView extends DashboardService {
  state: string;
  detail?: string;
  /** The runtime's id of what runs now (pid, container id). */
  instance?: string;
  lastUpdate?: UpdateRecord;
}

/** `GET /api/state`, and the first message (`event: snapshot`) of every event stream. */
export interface DashboardState {
  project: { name: string; root: string };
  services: ServiceView[];
  /** Finished updates, oldest first (at most 200). */
  updates: UpdateRecord[];
  advice: Suggestion[];
  /** Whether `/api/history` reads the history store (else only this session's updates). */
  historyAvailable: boolean;
}

/** The snapshot at the start of an event stream also carries the recent log lines. */
export interface StreamSnapshot extends DashboardState {
  logs: LogLine[];
}

/** One edit-to-live measurement, for the trend chart. */
export interface HistoryPoint {
  service: string;
  id: number;
  /** Epoch ms the update started. */
  at: number;
  editToLiveMs: number;
  kind: UpdateRecord['kind'];
}

/** `GET /api/history`: points oldest first. */
export interface HistoryResponse {
  source: 'history' | 'session';
  points: HistoryPoint[];
}

export interface LogsResponse {
  lines: LogLine[];
}

/** `POST /api/trigger/:service`. */
export type TriggerResponse = { record: UpdateRecord } | { error: string; hint?: string };

/** Named server-sent events besides the plain `message` (one `PitstopEvent` each). */
export type StreamEventName = 'snapshot' | 'advice';
