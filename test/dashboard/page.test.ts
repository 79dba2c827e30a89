// The dashboard page in a real Chromium, fed by a real event bus: what a developer sees when a
// service changes state, an update finishes, a service floods its log, or they press a button.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard } from '../../src/ui/dashboard/server.js';
import { launchBrowser, noBrowser, type TestBrowser } from './support/browser.js';
import { makeDeps, sampleRecord, sampleSuggestion, type TestDeps } from './support/deps.js';
import { pngStats } from './support/png.js';

let browser: TestBrowser;
let deps: TestDeps;
let dashboard: Dashboard;
let page: Page;
let problems: string[];

describe.skipIf(noBrowser)(`dashboard page in Chromium${noBrowser ? ` (skipped: ${noBrowser})` : ''}`, () => {
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    deps = makeDeps(['api', 'web', 'worker']);
    dashboard = await startDashboard(deps);
    ({ page, problems } = await browser.page());
  });

  afterEach(async () => {
    await page.close();
    await dashboard.close();
    await deps.dispose();
    // A CSP violation, a failed module load or an exception in a view all land here.
    expect(problems).toEqual([]);
  });

  /** Opens the page and waits until its event stream is connected. */
  async function open(): Promise<void> {
    await page.goto(dashboard.url);
    // Generous: from source, the first load transpiles the page's modules (a built package doesn't).
    await page.waitForSelector('[data-connection="live"]', { timeout: 15_000 });
  }

  const log = (service: string, line: string, stream: 'stdout' | 'stderr' = 'stdout') =>
    deps.events.emit({ type: 'log', service, stream, line });

  it('shows every service and follows its state', async () => {
    deps.events.emit({ type: 'service-state', service: 'api', state: 'ready' });
    await open();
    const names = await page.$$eval('tr[data-service]', (rows) =>
      rows.map((r) => r.getAttribute('data-service')),
    );
    expect(names).toEqual(['api', 'web', 'worker']);
    expect(await page.getAttribute('tr[data-service="api"]', 'data-state')).toBe('ready');
    expect(await page.textContent('tr[data-service="api"] .endpoints a')).toBe('127.0.0.1:18080/');

    deps.events.emit({ type: 'service-state', service: 'web', state: 'crashed', detail: 'exit code 1' });
    await page.waitForSelector('tr[data-service="web"][data-state="crashed"]', { timeout: 1_000 });
    expect(await page.textContent('tr[data-service="web"] .detail')).toBe('exit code 1');
    expect(await page.textContent('.summary')).toBe('1/3 ready');
  });

  it("draws a finished update's waterfall within a second, child spans nested", async () => {
    await open();
    const record = sampleRecord('api', 7);
    deps.events.emit({ type: 'update-finished', record });
    const waterfall = await page.waitForSelector(
      '[data-testid="waterfall"][data-service="api"][data-id="7"]',
      {
        timeout: 1_000,
      },
    );
    const rows = await waterfall.$$eval('.wf-row', (els) =>
      els.map((el) => `${el.getAttribute('data-depth')} ${el.getAttribute('data-step')}`),
    );
    expect(rows).toEqual([
      '0 detect',
      '0 plan',
      '0 image',
      '1 build',
      '1 build',
      '0 sync',
      '0 restart',
      '0 ready',
    ]);
    // Bars sit on one time axis: the image build is the long one and starts after detect ends.
    const bars = await waterfall.$$eval('.wf-bar', (els) => els.map((el) => el.getBoundingClientRect()));
    const [detect, , image, stage1, stage2] = bars;
    expect(image!.width).toBeGreaterThan(detect!.width * 10);
    expect(image!.left).toBeGreaterThanOrEqual(detect!.right - 1);
    expect(stage2!.left).toBeGreaterThanOrEqual(stage1!.right - 1);
    expect(await page.textContent('.wf-total')).toContain('edit-to-live');

    // The list has it; a newer update takes over the view until one is picked.
    deps.events.emit({ type: 'update-finished', record: sampleRecord('web', 8, { failed: true }) });
    await page.waitForSelector('[data-testid="waterfall"][data-service="web"] .wf-error', { timeout: 1_000 });
    await page.click('.update-item[data-key^="api#7@"]');
    await page.waitForSelector('[data-testid="waterfall"][data-service="api"]', { timeout: 1_000 });
    deps.events.emit({ type: 'update-finished', record: sampleRecord('worker', 9) });
    await page.waitForSelector('.update-item[data-key^="worker#9@"]', { timeout: 1_000 });
    expect(await page.getAttribute('[data-testid="waterfall"]', 'data-service')).toBe('api');
  });

  it('shows a running update as its steps arrive', async () => {
    await open();
    deps.events.emit({ type: 'update-started', service: 'web', id: 3, kind: 'live' });
    const record = sampleRecord('web', 3);
    deps.events.emit({ type: 'step', service: 'web', id: 3, span: record.spans[0]! });
    await page.waitForSelector('[data-testid="waterfall"][data-service="web"] .wf-row[data-step="detect"]', {
      timeout: 1_000,
    });
    expect(await page.textContent('.update-item[data-outcome="running"] .u-service')).toBe('web');
    deps.events.emit({ type: 'progress', service: 'web', step: 'image', detail: 'step 3/7 RUN npm ci' });
    await page.waitForFunction(
      () =>
        document.querySelector('tr[data-service="web"] .detail')?.textContent ===
        'image: step 3/7 RUN npm ci',
      undefined,
      { timeout: 1_000 },
    );
    deps.events.emit({ type: 'update-finished', record });
    await page.waitForSelector('.update-item[data-outcome="ok"]', { timeout: 1_000 });
    expect(await page.$$('.update-item')).toHaveLength(1);
    expect(await page.textContent('tr[data-service="web"] .detail')).toBe('');
  });

  it('streams log lines into the view, and the search box filters them', async () => {
    log('api', 'earlier line');
    await open();
    log('api', 'GET /healthz 200');
    log('web', 'compiled \x1b[32msuccessfully\x1b[0m', 'stderr');
    log('worker', 'GET /jobs 200');
    await page.waitForSelector('.log-count[data-total="4"]', { timeout: 1_000 });
    const lines = () => page.$$eval('.log-row .log-line', (els) => els.map((el) => el.textContent));
    expect(await lines()).toEqual([
      'earlier line',
      'GET /healthz 200',
      'compiled successfully',
      'GET /jobs 200',
    ]);

    await page.fill('.log-search', 'get /');
    await page.waitForSelector('.log-count[data-count="2"]', { timeout: 1_000 });
    expect(await lines()).toEqual(['GET /healthz 200', 'GET /jobs 200']);
    // New lines are filtered as they arrive.
    log('api', 'GET /orders 500');
    log('api', 'nothing to see');
    await page.waitForSelector('.log-count[data-count="3"]', { timeout: 1_000 });
    expect((await lines()).at(-1)).toBe('GET /orders 500');

    // One service's lines only, from the service list.
    await page.click('tr[data-service="worker"] .service-name');
    await page.waitForSelector('.log-count[data-count="1"]', { timeout: 1_000 });
    expect(await lines()).toEqual(['GET /jobs 200']);
  });

  it('keeps the DOM small with 5,000 lines (only visible rows exist)', async () => {
    await open();
    for (let i = 0; i < 5_000; i++) log(i % 2 ? 'api' : 'web', `line ${i} ${'payload '.repeat(8)}`);
    await page.waitForSelector('.log-count[data-total="5000"]', { timeout: 5_000 });
    const rowCount = () => page.$$eval('.log-row', (els) => els.length);
    expect(await rowCount()).toBeLessThan(60);
    // It follows the tail: the newest line is on screen.
    await page.waitForFunction(() =>
      document.querySelector('.log-row:last-child')?.textContent?.includes('line 4999'),
    );

    // Scrolled to the top, the first lines are drawn instead, and new lines don't pull it down.
    await page.$eval('.log-scroll', (el) => {
      el.scrollTop = 0;
    });
    await page.waitForFunction(() =>
      document.querySelector('.log-row .log-line')?.textContent?.startsWith('line 0 '),
    );
    log('api', 'one more');
    await page.waitForSelector('.log-count[data-total="5001"]', { timeout: 1_000 });
    expect(await page.$eval('.log-scroll', (el) => el.scrollTop)).toBe(0);
    expect(await rowCount()).toBeLessThan(60);
  });

  it('triggers a service from its button', async () => {
    await open();
    await page.click('button[data-trigger="worker"]');
    await page.waitForSelector('[data-testid="waterfall"][data-service="worker"]', { timeout: 2_000 });
    expect(deps.triggered).toEqual(['worker']);
    expect(await page.getAttribute('button[data-trigger="worker"]', 'title')).toBe(
      'rebuild and restart worker now',
    );
  });

  it('draws the trend and the advice, and the screenshot is not blank', async () => {
    const start = Date.now() - 3_600_000;
    for (let i = 0; i < 20; i++) {
      for (const [n, service] of ['api', 'web'].entries()) {
        deps.historyStore.record(
          sampleRecord(service, i, {
            startedAt: start + i * 60_000 + n,
            editToLiveMs: 200 + n * 150 + (i % 5) * 40,
          }),
        );
      }
    }
    deps.suggestions.push(sampleSuggestion);
    for (const service of ['api', 'web', 'worker'])
      deps.events.emit({ type: 'service-state', service, state: 'ready' });
    for (let i = 0; i < 40; i++)
      log(i % 3 ? 'api' : 'worker', `request ${i} served in ${i * 3}ms`, i % 7 ? 'stdout' : 'stderr');
    await open();
    deps.events.emit({ type: 'update-finished', record: sampleRecord('api', 21, { editToLiveMs: 280 }) });
    await page.waitForSelector('[data-testid="trend"][data-points="41"] canvas', { timeout: 2_000 });
    await page.waitForSelector('[data-testid="waterfall"][data-id="21"]', { timeout: 1_000 });
    expect(await page.textContent('.suggestion strong')).toBe(sampleSuggestion.title);
    expect(await page.textContent('.suggestion .saving')).toContain('1.8s');

    const shot = await page.screenshot({ fullPage: true });
    fs.writeFileSync(path.join(os.tmpdir(), 'pitstop-dashboard.png'), shot);
    const stats = pngStats(shot);
    expect(stats.width).toBe(1280);
    expect(stats.colors).toBeGreaterThan(50);
    expect(stats.inked).toBeGreaterThan(0.1);
  });
});
