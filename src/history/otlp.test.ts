import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOtlpExporter, nanos, type OtlpTraces, otlpTracesUrl, parseHeaders } from './otlp.js';
import { makeRecord, plan } from './testing.js';

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: OtlpTraces;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A real collector stand-in: records every POST, answers `status`. */
async function collector(status = 200): Promise<{ base: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(text) as OtlpTraces });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const T0 = 1_700_000_000_123.45;
const imageUpdate = (service: string, at: number) =>
  makeRecord(
    service,
    at,
    [
      { name: 'detect', ms: 11 },
      {
        name: 'image',
        ms: 2000,
        detail: 'pitstop/shop-web:1',
        children: [
          { name: 'image', ms: 20, outcome: 'cached', detail: '[1/2] FROM node:20' },
          { name: 'image', ms: 1900, detail: '[2/2] RUN npm ci' },
        ],
      },
      { name: 'sync', ms: 40, bytes: 6_400_000, detail: '1 file (6.1 MB)' },
      { name: 'ready', ms: 20 },
    ],
    { plan: plan({ full: true, reason: 'no live_update rules' }) },
  );

const attr = (attrs: { key: string; value: Record<string, unknown> }[], key: string) =>
  attrs.find((a) => a.key === key)?.value;

describe('OTLP exporter', () => {
  it('is off unless an endpoint is set, and finds the traces URL as the spec says', () => {
    expect(createOtlpExporter({ project: 'shop', env: {} })).toBeUndefined();
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toBe('http://c:4318/v1/traces');
    expect(
      otlpTracesUrl({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t/x',
      }),
    ).toBe('http://t/x');
    expect(
      otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }),
    ).toBeUndefined();
    expect(parseHeaders('api-key=a%20b, x-team=core,broken')).toEqual({ 'api-key': 'a b', 'x-team': 'core' });
    // Epoch ms carry ~0.2 µs of precision; whole and half milliseconds are exact.
    expect(nanos(1_700_000_000_123.5)).toBe('1700000000123500000');
  });

  it('posts each update as one trace, batched, to <endpoint>/v1/traces', async () => {
    const { base, received } = await collector();
    const exporter = createOtlpExporter({
      project: 'shop',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: base, OTEL_EXPORTER_OTLP_HEADERS: 'x-token=s3cret' },
      flushIntervalMs: 20,
    })!;
    const t = performance.now();
    exporter.export(imageUpdate('web', T0));
    exporter.export(
      makeRecord('api', T0 + 5000, [{ name: 'build', ms: 300, outcome: 'failed' }], {
        outcome: 'failed',
        error: { step: 'build', message: 'exit status 1' },
      }),
    );
    expect(performance.now() - t).toBeLessThan(20);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await exporter.flush();
    expect(received).toHaveLength(1);
    const [post] = received;
    expect(post!.url).toBe('/v1/traces');
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.headers['x-token']).toBe('s3cret');

    const [resourceSpans] = post!.body.resourceSpans;
    expect(attr(resourceSpans!.resource.attributes, 'service.name')).toEqual({ stringValue: 'pitstop' });
    expect(attr(resourceSpans!.resource.attributes, 'pitstop.project')).toEqual({ stringValue: 'shop' });
    const spans = resourceSpans!.scopeSpans[0]!.spans;
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(2);
    for (const s of spans) {
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(s.startTimeUnixNano).toMatch(/^\d{19}$/);
      expect(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano)).toBe(true);
    }

    const web = spans.filter((s) => s.traceId === spans[0]!.traceId);
    const root = web.find((s) => s.parentSpanId === undefined)!;
    expect(root.name).toBe('web live update');
    expect(root.startTimeUnixNano).toBe(nanos(T0));
    expect(attr(root.attributes, 'pitstop.service')).toEqual({ stringValue: 'web' });
    expect(attr(root.attributes, 'pitstop.kind')).toEqual({ stringValue: 'live' });
    expect(attr(root.attributes, 'pitstop.outcome')).toEqual({ stringValue: 'ok' });
    const steps = web.filter((s) => s.parentSpanId === root.spanId);
    expect(steps.map((s) => s.name)).toEqual(['detect', 'image', 'sync', 'ready']);
    const sync = steps[2]!;
    expect(attr(sync.attributes, 'pitstop.bytes')).toEqual({ intValue: '6400000' });
    expect(attr(sync.attributes, 'pitstop.detail')).toEqual({ stringValue: '1 file (6.1 MB)' });
    const image = steps[1]!;
    const sub = web.filter((s) => s.parentSpanId === image.spanId);
    expect(sub.map((s) => attr(s.attributes, 'pitstop.detail'))).toEqual([
      { stringValue: '[1/2] FROM node:20' },
      { stringValue: '[2/2] RUN npm ci' },
    ]);
    expect(attr(sub[0]!.attributes, 'pitstop.outcome')).toEqual({ stringValue: 'cached' });

    const api = spans.filter((s) => s.traceId !== spans[0]!.traceId);
    expect(api.find((s) => !s.parentSpanId)!.status).toEqual({ code: 2, message: 'exit status 1' });
    await exporter.close();
  });

  it('sends at once when a batch is full', async () => {
    const { base, received } = await collector();
    const exporter = createOtlpExporter({
      project: 'shop',
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${base}/custom/traces` },
      flushIntervalMs: 60_000,
      maxBatch: 2,
    })!;
    exporter.export(imageUpdate('web', T0));
    exporter.export(imageUpdate('web', T0 + 1));
    exporter.export(imageUpdate('web', T0 + 2));
    await exporter.close();
    expect(received.map((r) => r.url)).toEqual(['/custom/traces', '/custom/traces']);
    expect(received.map((r) => r.body.resourceSpans[0]!.scopeSpans[0]!.spans.length)).toEqual([14, 7]);
  });

  it('reports a refusing or absent collector once and carries on', async () => {
    const { base, received } = await collector(500);
    const problems: string[] = [];
    const exporter = createOtlpExporter({
      project: 'shop',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: base },
      onProblem: (m) => problems.push(m),
    })!;
    exporter.export(imageUpdate('web', T0));
    await exporter.flush();
    exporter.export(imageUpdate('web', T0 + 1));
    await exporter.flush();
    expect(received).toHaveLength(2);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/answered 500/);

    // Nothing listens on a port whose server is gone.
    const gone = await collector();
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const down: string[] = [];
    const lonely = createOtlpExporter({
      project: 'shop',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: gone.base },
      onProblem: (m) => down.push(m),
    })!;
    lonely.export(imageUpdate('web', T0));
    await lonely.flush();
    lonely.export(imageUpdate('web', T0));
    await lonely.close();
    expect(down).toHaveLength(1);
    expect(down[0]).toMatch(/cannot send traces/);
  });
});
