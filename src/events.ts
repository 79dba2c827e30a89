// The typed event catalogue. The terminal view, --json output and (later) the dashboard and
// history all consume this one stream; nothing else reports progress.
import type { Span, UpdateRecord } from './model/update.js';

export type ServiceState =
  | 'pending'
  | 'waiting'
  | 'building'
  | 'starting'
  | 'ready'
  | 'updating'
  | 'crashed'
  | 'failed'
  | 'stopping'
  | 'stopped';

export type LogStream = 'stdout' | 'stderr' | 'pitstop';

export type PitstopEvent =
  | { type: 'session-started'; at: number; project: string; root: string; services: string[] }
  /** The web dashboard's address (loopback only). */
  | { type: 'dashboard'; at: number; url: string }
  | { type: 'service-state'; at: number; service: string; state: ServiceState; detail?: string }
  | { type: 'batch'; at: number; fileCount: number; files: string[]; services: string[] }
  | { type: 'update-started'; at: number; service: string; id: number; kind: UpdateRecord['kind'] }
  | { type: 'step'; at: number; service: string; id: number; span: Span }
  /** A long step's progress: an image build's current stage, or bytes of a transfer. */
  | {
      type: 'progress';
      at: number;
      service: string;
      step: Span['name'];
      detail: string;
      bytes?: number;
      totalBytes?: number;
    }
  | { type: 'update-finished'; at: number; record: UpdateRecord }
  | { type: 'log'; at: number; service: string; stream: LogStream; line: string }
  | { type: 'warning'; at: number; message: string; service?: string }
  | { type: 'error'; at: number; message: string; service?: string; logTail?: string[] }
  | { type: 'all-ready'; at: number; durationMs: number }
  | { type: 'session-stopped'; at: number; reason: string };

export type EventListener = (event: PitstopEvent) => void;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventInput = DistributiveOmit<PitstopEvent, 'at'> & { at?: number };

/** A tiny synchronous bus: listeners run in subscription order; a throwing listener is isolated. */
export class EventBus {
  readonly #listeners = new Set<EventListener>();
  constructor(private readonly now: () => number = epochNow) {}

  emit(input: EventInput): PitstopEvent {
    const event = { ...input, at: input.at ?? this.now() } as PitstopEvent;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        process.emitWarning(`event listener failed: ${(err as Error).message}`);
      }
    }
    return event;
  }

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Epoch milliseconds with sub-millisecond precision. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
