// Finished updates as OpenTelemetry traces, for people who already look at their builds in
// Jaeger, Tempo or Honeycomb: one trace per update (a root span for the update, a child per
// step, grandchildren for image-build sub-steps), sent as OTLP/HTTP JSON when the standard
// OTEL_EXPORTER_OTLP_* variables say where. Batched off the update's path; a collector that is
// down or refuses is reported once and never stops anything.
import { randomBytes } from 'node:crypto';
import type { Span, UpdateRecord } from '../model/update.js';

export interface OtlpOptions {
  project: string;
  /** Where the OTEL_* variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  onProblem?: (message: string) => void;
  /** A record waits at most this long before it is sent (default 1000 ms). */
  flushIntervalMs?: number;
  /** Send at once when this many records wait (default 64). */
  maxBatch?: number;
  /** Give up on one POST after this long (default 5000 ms). */
  timeoutMs?: number;
}

export interface OtlpExporter {
  /** The traces endpoint records are POSTed to. */
  readonly url: string;
  /** Queues a finished update; returns at once. */
  export(record: UpdateRecord): void;
  /** Sends what waits; resolves when the collector answered or the send failed. */
  flush(): Promise<void>;
  /** Sends what waits and stops the timer. */
  close(): Promise<void>;
}

type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean };
interface KeyValue {
  key: string;
  value: AnyValue;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  status: { code: number; message?: string };
}
export interface OtlpTraces {
  resourceSpans: {
    resource: { attributes: KeyValue[] };
    scopeSpans: { scope: { name: string; version: string }; spans: OtlpSpan[] }[];
  }[];
}

const SPAN_KIND_INTERNAL = 1;
const STATUS_ERROR = 2;
const VERSION = process.env.npm_package_version ?? '0.1.0';

/** The traces URL the environment asks for, or undefined when tracing is not asked for. */
export function otlpTracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === 'true' || env.OTEL_TRACES_EXPORTER === 'none')
    return undefined;
  // The per-signal variable is a full URL, used as it is; the general one is a base (spec).
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** `k1=v1,k2=v2` (values URL-encoded), the format of OTEL_EXPORTER_OTLP_HEADERS. */
export function parseHeaders(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

/** An exporter when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set, otherwise undefined. */
export function createOtlpExporter(options: OtlpOptions): OtlpExporter | undefined {
  const env = options.env ?? process.env;
  const onProblem = options.onProblem ?? ((message: string) => process.emitWarning(message));
  const url = otlpTracesUrl(env);
  if (!url) return undefined;
  try {
    new URL(url);
  } catch {
    onProblem(`OpenTelemetry: "${url}" is not a URL; not sending traces`);
    return undefined;
  }
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol && protocol !== 'http/json') {
    onProblem(`OpenTelemetry: pitstop sends OTLP/HTTP JSON, not ${protocol}; sending JSON to ${url}`);
  }
  const headers = {
    ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    ...parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
    'content-type': 'application/json',
  };
  const intervalMs = options.flushIntervalMs ?? 1_000;
  const maxBatch = options.maxBatch ?? 64;
  const timeoutMs = options.timeoutMs ?? 5_000;
  let queue: UpdateRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let reported = false;

  const problem = (message: string) => {
    if (reported) return;
    reported = true;
    try {
      onProblem(`OpenTelemetry: ${message} (further failures are not reported)`);
    } catch {
      // Reporting must not be what breaks.
    }
  };

  const send = async (batch: UpdateRecord[]) => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(toOtlpJson(batch, options.project)),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = await res.text().catch(() => '');
      if (!res.ok)
        problem(`${url} answered ${res.status} ${res.statusText}${body ? `: ${body.slice(0, 200)}` : ''}`);
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message;
      problem(`cannot send traces to ${url}: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
    }
  };

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length > 0) {
      const batch = queue;
      queue = [];
      // One request at a time, in order; `send` never rejects, so neither does the chain.
      chain = chain.then(() => send(batch));
    }
    return chain;
  };

  return {
    url,
    export(record) {
      queue.push(record);
      if (queue.length >= maxBatch) void flush();
      else timer ??= setTimeout(() => void flush(), intervalMs).unref();
    },
    flush,
    close: flush,
  };
}

/** The OTLP JSON request body for `records` (pure apart from the random trace and span ids). */
export function toOtlpJson(records: readonly UpdateRecord[], project: string): OtlpTraces {
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'pitstop'), str('pitstop.project', project)] },
        scopeSpans: [{ scope: { name: 'pitstop', version: VERSION }, spans: records.flatMap(traceOf) }],
      },
    ],
  };
}

function traceOf(record: UpdateRecord): OtlpSpan[] {
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const starts = [record.startedAt, ...record.spans.map((s) => s.startedAt)];
  const ends = record.spans.map((s) => s.startedAt + s.durationMs);
  const start = Math.min(...starts);
  const end = record.finishedAt ?? Math.max(start, ...ends);
  const attributes = [
    str('pitstop.service', record.service),
    str('pitstop.kind', record.kind),
    str('pitstop.outcome', record.outcome ?? 'unknown'),
    int('pitstop.files', record.fileCount),
  ];
  if (record.editToLiveMs !== undefined) attributes.push(dbl('pitstop.edit_to_live_ms', record.editToLiveMs));
  if (record.plan) attributes.push(str('pitstop.plan', record.plan.reason));
  const root: OtlpSpan = {
    traceId,
    spanId: rootId,
    name: `${record.service} ${record.kind} update`,
    kind: SPAN_KIND_INTERNAL,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(end),
    attributes,
    status:
      record.outcome === 'failed'
        ? { code: STATUS_ERROR, message: record.error?.message ?? '' }
        : { code: 0 },
  };
  const out = [root];
  const walk = (spans: readonly Span[], parent: string) => {
    for (const span of spans) {
      const spanId = randomBytes(8).toString('hex');
      const attrs = [str('pitstop.service', record.service), str('pitstop.outcome', span.outcome)];
      if (span.bytes !== undefined) attrs.push(int('pitstop.bytes', span.bytes));
      if (span.detail !== undefined) attrs.push(str('pitstop.detail', span.detail));
      out.push({
        traceId,
        spanId,
        parentSpanId: parent,
        name: span.name,
        kind: SPAN_KIND_INTERNAL,
        startTimeUnixNano: nanos(span.startedAt),
        endTimeUnixNano: nanos(span.startedAt + span.durationMs),
        attributes: attrs,
        status: span.outcome === 'failed' ? { code: STATUS_ERROR } : { code: 0 },
      });
      if (span.children?.length) walk(span.children, spanId);
    }
  };
  walk(record.spans, rootId);
  return out;
}

/** Epoch ms (fractional) as integer nanoseconds in a string: past 2^53, doubles lose digits. */
export function nanos(ms: number): string {
  const whole = Math.floor(ms);
  const fraction = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(fraction)).toString();
}

const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });
// OTLP JSON writes 64-bit integers as strings (the protobuf JSON mapping).
const int = (key: string, value: number): KeyValue => ({
  key,
  value: { intValue: String(Math.round(value)) },
});
const dbl = (key: string, value: number): KeyValue => ({ key, value: { doubleValue: value } });
