// A project built to need every piece of the talk's advice, and its synthetic but realistic
// history: compiles inside a CPU-starved container, a Go binary over a 20 Mbit/s link, a
// Dockerfile that reinstalls npm packages on every build, templates edited without a sync rule.
import type { Project } from '../model/project.js';
import { makeProject, makeService } from '../model/testing.js';
import type { UpdateRecord } from '../model/update.js';
import { jitter, makeRecord, plan, type SpanSpec } from './testing.js';
import type { AdvisorFacts } from './types.js';

export const ROOT = '/work/shop';
const T0 = 1_700_000_000_000;
const rand = jitter(42);
const around = (ms: number, spread = 0.1) => Math.round(ms * (1 - spread + 2 * spread * rand()) * 100) / 100;
const GO_BUILD = 'go build -o /usr/local/bin/app .';

/** The talk's starting point: everything that can be slow is. */
export function needyProject(): Project {
  const api = makeService('api', `${ROOT}/api`, {
    runtime: 'docker',
    liveUpdate: [
      { kind: 'sync', from: `${ROOT}/api`, to: '/src' },
      { kind: 'run', cmd: { argv: GO_BUILD.split(' ') }, trigger: [] },
      { kind: 'restart', mode: 'process' },
    ],
  });
  const worker = makeService('worker', `${ROOT}/worker`, {
    runtime: 'docker',
    build: [
      {
        name: 'compile',
        cmd: { shell: 'go build -o bin/worker .' },
        cwd: `${ROOT}/worker`,
        env: {},
        inputs: ['**/*.go'],
        outputs: ['bin'],
      },
    ],
    liveUpdate: [
      { kind: 'sync', from: `${ROOT}/worker/bin/worker`, to: '/app/worker' },
      { kind: 'restart', mode: 'process' },
    ],
  });
  const web = makeService('web', `${ROOT}/web`, { runtime: 'docker' });
  const site = makeService('site', `${ROOT}/site`, {
    runtime: 'docker',
    liveUpdate: [{ kind: 'sync', from: `${ROOT}/site/static`, to: '/app/static' }],
  });
  return makeProject(ROOT, [api, worker, web, site], { name: 'shop' });
}

const start = (service: string, at: number, imageMs = 1500): UpdateRecord =>
  makeRecord(
    service,
    at,
    [
      { name: 'image', ms: imageMs, outcome: 'ok', detail: `pitstop/shop-${service}:x` },
      { name: 'start', ms: around(350) },
      { name: 'ready', ms: around(40) },
    ],
    { kind: 'start', editToLiveMs: undefined, plan: plan({ full: true, reason: 'first start' }) },
  );

/**
 * api: sources synced, compiled inside a container short of CPU (`warmMs` a compile, twice that
 * in a new container, whose build cache is empty); a new container every 5 updates.
 */
export function apiRecords(count: number, warmMs = 6000): UpdateRecord[] {
  const out: UpdateRecord[] = [];
  for (let i = 0; i < count; i++) {
    const at = T0 + i * 60_000;
    if (i % 5 === 0) out.push(start('api', at - 5_000));
    const cold = i % 5 === 0;
    out.push(
      makeRecord('api', at, [
        { name: 'detect', ms: around(11) },
        { name: 'plan', ms: 0.3 },
        { name: 'sync', ms: around(6), bytes: 1200, detail: '1 file (1.2 KB)' },
        { name: 'run', ms: around(cold ? 2 * warmMs : warmMs), detail: GO_BUILD },
        { name: 'restart', ms: around(12), detail: 'pid 7' },
        { name: 'ready', ms: around(20) },
      ]),
    );
  }
  return out;
}

/** worker: compiled on the host, its binary shipped over `linkBytesPerSec`. */
export function workerRecords(count: number, linkBytesPerSec: number, ldflags = false): UpdateRecord[] {
  const bytes = ldflags ? 6_300_000 : 9_000_000;
  return Array.from({ length: count }, (_, i) =>
    makeRecord(
      'worker',
      T0 + i * 60_000 + 30_000,
      [
        { name: 'detect', ms: around(11) },
        { name: 'build', ms: around(900), detail: 'compile' },
        { name: 'sync', ms: around((bytes / linkBytesPerSec) * 1000, 0.05), bytes, detail: '1 file' },
        { name: 'restart', ms: around(10) },
        { name: 'ready', ms: around(20) },
      ],
      {
        plan: plan({
          builds: ['compile'],
          syncs: [
            { from: `${ROOT}/worker/bin/worker`, to: '/app/worker', kind: 'change', output: 'compile' },
          ],
          restart: 'process',
        }),
      },
    ),
  );
}

/** web: every code change rebuilds the image, and `npm ci` runs again almost every time. */
export function webRecords(count: number): UpdateRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const cached = i % 5 === 4;
    const children: SpanSpec[] = [
      { name: 'image', ms: 20, outcome: 'cached', detail: '[1/5] FROM node:20-alpine' },
      { name: 'image', ms: 60, detail: '[2/5] COPY . /app' },
      {
        name: 'image',
        ms: cached ? 5 : around(24_000),
        outcome: cached ? 'cached' : 'ok',
        detail: '[3/5] RUN npm ci',
      },
    ];
    return makeRecord(
      'web',
      T0 + i * 120_000,
      [
        { name: 'image', ms: cached ? 900 : 25_000, detail: 'pitstop/shop-web:x', children },
        { name: 'stop', ms: around(300) },
        { name: 'start', ms: around(400) },
        { name: 'ready', ms: around(50) },
      ],
      { plan: plan({ full: true, reason: 'no live_update rules' }), files: [`${ROOT}/web/src/app.js`] },
    );
  });
}

/** site: templates are edited all the time, but only static/ has a sync rule. */
export function siteRecords(count: number): UpdateRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const file = i % 2 ? 'templates/index.html' : 'templates/partials/nav.html';
    return makeRecord(
      'site',
      T0 + i * 90_000,
      [
        { name: 'detect', ms: around(11) },
        { name: 'plan', ms: 0.2 },
        { name: 'image', ms: around(3200), detail: 'pitstop/shop-site:x' },
        { name: 'stop', ms: around(250) },
        { name: 'start', ms: around(380) },
        { name: 'ready', ms: around(30) },
      ],
      {
        files: [`${ROOT}/site/${file}`],
        plan: plan({ full: true, reason: `${file} is not covered by any live_update rule or build input` }),
      },
    );
  });
}

export const dockerfileFacts: AdvisorFacts['dockerfileAdvice'] = {
  web: [
    {
      tool: 'npm',
      message:
        'line 3 copies the whole build context before line 4 installs npm dependencies, so every code change downloads them all again; copy the dependency files first:',
      suggestion: ['COPY package.json package-lock.json /app/', 'RUN npm ci', 'COPY . /app'],
    },
  ],
};

export function needyRecords(count: number, link: number): UpdateRecord[] {
  return [...apiRecords(count), ...workerRecords(count, link), ...webRecords(count), ...siteRecords(count)];
}
