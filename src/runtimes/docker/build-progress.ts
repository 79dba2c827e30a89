// Turns the daemon's build stream into what pitstop records: output lines for the service log,
// one child span per build step (BuildKit vertex, or legacy "Step N/M"), and the error if any.
// BuildKit sends its progress as base64 protobuf (StatusResponse) in `moby.buildkit.trace`.
import type { Span } from '../../model/update.js';
import { readFields, text, timestamp } from './protobuf.js';

export interface BuildMessage {
  stream?: string;
  id?: string;
  aux?: unknown;
  error?: string;
  errorDetail?: { message?: string };
}

interface Vertex {
  name: string;
  started?: number;
  completed?: number;
  cached: boolean;
  error?: string;
}

export class BuildProgress {
  readonly #vertexes = new Map<string, Vertex>();
  readonly #legacySteps: { name: string; startedAt: number; cached: boolean }[] = [];
  error: string | undefined;
  imageId: string | undefined;
  readonly tail: string[] = [];

  constructor(
    private readonly onLine: (stream: 'stdout' | 'stderr', line: string) => void,
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
    private readonly onStage: (name: string) => void = () => {},
  ) {}

  add(message: BuildMessage): void {
    if (message.error || message.errorDetail?.message) {
      this.error = message.errorDetail?.message ?? message.error;
      this.#line('stderr', this.error ?? '');
    }
    if (message.id === 'moby.buildkit.trace' && typeof message.aux === 'string') {
      this.#trace(Buffer.from(message.aux, 'base64'));
      return;
    }
    if (message.id === 'moby.image.id' && message.aux && typeof message.aux === 'object') {
      this.imageId = (message.aux as { ID?: string }).ID;
      return;
    }
    if (message.aux && typeof message.aux === 'object' && 'ID' in message.aux) {
      this.imageId = String((message.aux as { ID: unknown }).ID);
    }
    if (typeof message.stream === 'string') {
      for (const line of message.stream.split('\n')) {
        if (line.trim() === '') continue;
        this.#legacy(line);
        this.#line('stdout', line);
      }
    }
  }

  /** Child spans, in start order; the last legacy step ends at `endedAt`. */
  spans(endedAt: number = this.now()): Span[] {
    if (this.#vertexes.size > 0) {
      return [...this.#vertexes.values()]
        .filter((v) => v.started !== undefined || v.cached)
        .sort((a, b) => (a.started ?? 0) - (b.started ?? 0))
        .map((v) => {
          const startedAt = v.started ?? v.completed ?? endedAt;
          const end = v.completed ?? endedAt;
          const span: Span = {
            name: 'image',
            startedAt,
            durationMs: Math.max(0, Math.round((end - startedAt) * 100) / 100),
            outcome: v.error ? 'failed' : v.cached ? 'cached' : 'ok',
            detail: v.name,
          };
          return span;
        });
    }
    return this.#legacySteps.map((step, i) => {
      const end = this.#legacySteps[i + 1]?.startedAt ?? endedAt;
      return {
        name: 'image',
        startedAt: step.startedAt,
        durationMs: Math.round((end - step.startedAt) * 100) / 100,
        outcome: step.cached ? 'cached' : 'ok',
        detail: step.name,
      };
    });
  }

  #line(stream: 'stdout' | 'stderr', line: string): void {
    this.tail.push(line);
    if (this.tail.length > 30) this.tail.shift();
    this.onLine(stream, line);
  }

  #legacy(line: string): void {
    const step = /^Step \d+\/\d+ : (.*)$/.exec(line);
    if (step) {
      this.#legacySteps.push({ name: step[1] ?? line, startedAt: this.now(), cached: false });
      this.onStage(step[1] ?? line);
    } else if (line.includes('---> Using cache')) {
      const last = this.#legacySteps.at(-1);
      if (last) last.cached = true;
    }
  }

  #trace(buf: Uint8Array): void {
    let fields: ReturnType<typeof readFields>;
    try {
      fields = readFields(buf);
    } catch {
      return;
    }
    for (const field of fields) {
      if (!field.bytes) continue;
      if (field.num === 1) this.#vertex(readFields(field.bytes));
      else if (field.num === 3) this.#log(readFields(field.bytes));
    }
  }

  #vertex(parts: ReturnType<typeof readFields>): void {
    const digest = text(parts.find((f) => f.num === 1));
    const known = this.#vertexes.get(digest) ?? { name: '', cached: false };
    const name = text(parts.find((f) => f.num === 3));
    if (name) known.name = name;
    if (parts.find((f) => f.num === 4)?.int) known.cached = true;
    known.started = timestamp(parts.find((f) => f.num === 5)) ?? known.started;
    known.completed = timestamp(parts.find((f) => f.num === 6)) ?? known.completed;
    const error = text(parts.find((f) => f.num === 7));
    if (error) known.error = error;
    const isNew =
      !this.#vertexes.has(digest) || (known.started !== undefined && known.completed === undefined);
    this.#vertexes.set(digest, known);
    if (isNew && known.name && !known.cached && known.completed === undefined) this.onStage(known.name);
  }

  #log(parts: ReturnType<typeof readFields>): void {
    const stream = Number(parts.find((f) => f.num === 3)?.int ?? 1n) === 2 ? 'stderr' : 'stdout';
    for (const line of text(parts.find((f) => f.num === 4)).split('\n')) {
      if (line.trim() !== '') this.#line(stream, line.replace(/\r$/, ''));
    }
  }
}
