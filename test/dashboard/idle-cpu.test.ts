// The dashboard must cost nothing while nothing happens: with a page open and its event stream
// connected, the server process (alone in its own process here) stays under 1 % of a core.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { clockTicks, cpuTicks } from '../../bench/lib/procfs.js';
import { repoRoot } from '../support/project.js';
import { launchBrowser, noBrowser } from './support/browser.js';

const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
});

describe.skipIf(noBrowser)(`dashboard idle cost${noBrowser ? ` (skipped: ${noBrowser})` : ''}`, () => {
  it('stays under 1 % CPU with a page connected', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/dashboard/support/serve.ts', '--demo'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`dashboard exited (${code})`)));
    });
    const browser = await launchBrowser();
    try {
      const { page } = await browser.page();
      await page.goto(url);
      await page.waitForSelector('[data-connection="live"]');
      await page.waitForSelector('[data-testid="trend"] canvas');
      // Let start-up work (module loading, the first requests, JIT) settle, then measure.
      await new Promise((r) => setTimeout(r, 3_000));
      const seconds = 10;
      const before = cpuTicks(child.pid!)!;
      await new Promise((r) => setTimeout(r, seconds * 1_000));
      const used = (cpuTicks(child.pid!)! - before) / clockTicks();
      const percent = (used / seconds) * 100;
      console.log(`dashboard server idle CPU: ${percent.toFixed(2)} % of a core over ${seconds} s`);
      expect(percent).toBeLessThan(1);
    } finally {
      await browser.close();
    }
  });
});
