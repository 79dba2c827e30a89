// The README's promise, end to end with real compilers and processes: the quickstart starts
// its three services in order, each kind of edit goes live, and `pitstop down` leaves nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PitstopSession } from '../bench/lib/pitstop.js';
import type { PitstopEvent } from '../src/events.js';
import type { UpdateRecord } from '../src/model/update.js';
import {
  eventually,
  freePort,
  get,
  goAvailable,
  processesIn,
  removeProjects,
  repoRoot,
  runCli,
} from './support/project.js';

let session: PitstopSession | undefined;
const copies: string[] = [];

afterAll(async () => {
  await session?.stop();
  for (const dir of copies) fs.rmSync(dir, { recursive: true, force: true });
  removeProjects();
});

async function copyQuickstart(): Promise<{ dir: string; ports: number[] }> {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'pitstop-quickstart-'));
  copies.push(dir);
  fs.cpSync(path.join(repoRoot, 'examples', 'quickstart'), dir, {
    recursive: true,
    filter: (src) =>
      !src.includes(`${path.sep}bin${path.sep}`) &&
      !src.endsWith(`${path.sep}bin`) &&
      !src.includes('.pitstop'),
  });
  // Free ports, so the test never collides with a quickstart someone is running.
  const ports = [await freePort(), await freePort(), await freePort()];
  const file = path.join(dir, 'pitstop.yaml');
  let yaml = fs.readFileSync(file, 'utf8');
  for (const [i, p] of ['8081', '8082', '8083'].entries()) yaml = yaml.replaceAll(p, String(ports[i]));
  fs.writeFileSync(file, yaml);
  return { dir, ports };
}

function finished(service: string, since: number) {
  return (e: PitstopEvent): e is Extract<PitstopEvent, { type: 'update-finished' }> =>
    e.type === 'update-finished' && e.record.service === service && since >= 0;
}

async function edit(
  s: PitstopSession,
  service: string,
  file: string,
  from: string,
  to: string,
): Promise<UpdateRecord> {
  const since = s.events.length;
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toContain(from);
  fs.writeFileSync(file, text.replace(from, to));
  const event = await s.waitFor(finished(service, since), 60_000, since);
  return event.record;
}

describe.runIf(goAvailable())('quickstart', () => {
  it('starts api → web → static in order, puts each kind of edit live, and `down` leaves nothing', async () => {
    const { dir, ports } = await copyQuickstart();
    const [api, web, stat] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string, string];
    session = PitstopSession.start(dir);
    await session.waitReady(120_000);

    // Dependency order: web starts only after api is ready, static after web.
    const firstState = (service: string, state: string) =>
      session!.events.findIndex(
        (e) => e.type === 'service-state' && e.service === service && e.state === state,
      );
    expect(firstState('api', 'ready')).toBeLessThan(firstState('web', 'starting'));
    expect(firstState('web', 'ready')).toBeLessThan(firstState('static', 'starting'));
    expect(await get(`${api}/version`)).toContain('1.0.0');
    expect(await get(`${web}/`)).toContain('1.0.0');

    // Go: compiled on the host, process restarted; the record carries the timed steps.
    const goRecord = await edit(session, 'api', path.join(dir, 'api', 'main.go'), '"1.0.0"', '"1.0.1"');
    expect(goRecord).toMatchObject({ kind: 'live', outcome: 'ok' });
    // The sync of the built binary is in place on the local runtime (it ships it on docker).
    expect(goRecord.spans.map((s) => s.name)).toEqual([
      'detect',
      'plan',
      'build',
      'sync',
      'restart',
      'ready',
    ]);
    expect(goRecord.editToLiveMs).toBeGreaterThan(0);
    expect(await get(`${api}/version`)).toContain('1.0.1');

    // Node: source synced (in place on the local runtime) and the process restarted.
    const webFile = path.join(dir, 'web', 'src', 'home.js');
    const marker = fs.readFileSync(webFile, 'utf8').match(/<h1>([^<]*)<\/h1>/)?.[1];
    expect(marker).toBeTruthy();
    const webRecord = await edit(
      session,
      'web',
      webFile,
      `<h1>${marker}</h1>`,
      '<h1>edited by the test</h1>',
    );
    expect(webRecord.spans.map((s) => s.name)).toEqual(['detect', 'plan', 'sync', 'restart', 'ready']);
    expect(await get(`${web}/`)).toContain('edited by the test');

    // Static: synced only, no restart, live at once.
    const html = path.join(dir, 'static', 'public', 'index.html');
    const staticRecord = await edit(session, 'static', html, '</body>', '<p>static edit</p></body>');
    expect(staticRecord.spans.map((s) => s.name)).toEqual(['detect', 'plan', 'sync']);
    expect(await get(`${stat}/`)).toContain('static edit');

    const status = JSON.parse(runCli(['status', '--json'], dir).stdout);
    expect(status.services.map((s: { state: string }) => s.state)).toEqual(['ready', 'ready', 'ready']);

    const trigger = runCli(['trigger', 'web'], dir);
    expect(trigger.code).toBe(0);
    expect(trigger.stdout).toContain('web rebuilt and restarted');

    expect(runCli(['logs', 'api'], dir).stdout).toContain('api 1.0.1 listening');

    const down = runCli(['down'], dir);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('stopped the session');
    await eventually(() => session!.child.exitCode !== null, 10_000, 'pitstop up to exit');
    expect(session.child.exitCode).toBe(0);
    expect(processesIn(dir)).toEqual([]);
    expect(fs.existsSync(path.join(dir, '.pitstop', 'session.json'))).toBe(false);
    expect(runCli(['status'], dir).code).toBe(4);
  });
});
