// The quickstart on the docker runtime, end to end: `pitstop up --runtime docker` builds the
// images and starts api → web → static as containers in dependency order; each kind of edit goes
// live inside the SAME container (the host-compiled Go binary is shipped in, web's source synced
// and its process restarted, static's file synced with nothing restarted); `pitstop down` leaves
// no container or network behind, and `pitstop ci --runtime docker` passes with its timing table.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PitstopSession } from '../../bench/lib/pitstop.js';
import type { UpdateRecord } from '../../src/model/update.js';
import { LABELS } from '../../src/runtimes/docker/labels.js';
import { dockerAvailable, leftovers, prepareBaseImages, removeProject } from '../support/docker.js';
import {
  answer,
  containerOf,
  copyExample,
  dockerRun,
  imageIds,
  inspectContainer,
  processesOf,
  removeNewImages,
} from '../support/docker-cli.js';
import { eventually, goAvailable, runCliAsync } from '../support/project.js';
import { finished, is } from '../support/session.js';

const PROJECT = 'quickstart';
const SERVICES = ['api', 'web', 'static'];
let dir = '';
let session: PitstopSession | undefined;
// The api image holds a binary built in this test's folder: no later run can reuse it.
let apiImages: string[] | undefined;

afterAll(async () => {
  await session?.stop();
  if (dir) {
    await removeProject(PROJECT, dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (apiImages) removeNewImages(PROJECT, 'api', apiImages);
});

async function edit(service: string, file: string, from: string, to: string): Promise<UpdateRecord> {
  const s = session!;
  const since = s.events.length;
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toContain(from);
  fs.writeFileSync(file, text.replace(from, to));
  return (await s.waitFor(finished(service), 60_000, since)).record;
}

const names = (r: UpdateRecord) => r.spans.map((s) => s.name);

/** The service's latest output and state changes, for a failure message. */
function recent(service: string): string {
  return session!.events
    .filter((e) => (e.type === 'log' || e.type === 'service-state') && e.service === service)
    .slice(-15)
    .map((e) => JSON.stringify(e))
    .join('\n');
}

describe.runIf(dockerAvailable() && goAvailable())('quickstart on the docker runtime', () => {
  beforeAll(async () => {
    await prepareBaseImages();
    apiImages = imageIds(PROJECT, 'api');
  }, 120_000);

  it('starts api → web → static as containers, puts each kind of edit live in the same container, and `down` leaves nothing', async () => {
    const copy = await copyExample(PROJECT, ['8081', '8082', '8083'], (yaml, free) =>
      // static's image serves on 8083 inside the container (its Dockerfile): publish it on a free port.
      yaml.replace(`ports: [${free['8083']}]`, `ports: ["${free['8083']}:8083"]`),
    );
    dir = copy.dir;
    const [api, web, stat] = ['8081', '8082', '8083'].map((p) => `http://127.0.0.1:${copy.ports[p]}`) as [
      string,
      string,
      string,
    ];
    session = PitstopSession.start(dir, process.env, ['up', '--json', '--runtime', 'docker']);
    await session.waitReady(120_000);
    for (const service of SERVICES) {
      await session.waitFor(
        is('update-finished', (e) => e.record.service === service && e.record.kind === 'start'),
        10_000,
      );
    }

    // Dependency order: web starts only after api is ready, static after web.
    const firstState = (service: string, state: string) =>
      session!.events.findIndex(
        (e) => e.type === 'service-state' && e.service === service && e.state === state,
      );
    expect(firstState('api', 'ready')).toBeGreaterThan(-1);
    expect(firstState('api', 'ready')).toBeLessThan(firstState('web', 'starting'));
    expect(firstState('web', 'ready')).toBeLessThan(firstState('static', 'starting'));
    for (const r of session.records.filter((r) => r.kind === 'start')) {
      expect(r.outcome, `${r.service}: ${r.error?.message}`).toBe('ok');
      // Each service ran from an image (built or found by its hash) in a container of its own.
      expect(names(r)).toContain('image');
      expect(r.spans.find((s) => s.name === 'start')?.detail).toMatch(
        /^container [0-9a-f]{12}(, started \S+ ahead and held until now)?$/,
      );
    }

    // Every service is a running container carrying pitstop's labels.
    const ids = Object.fromEntries(SERVICES.map((s) => [s, containerOf(PROJECT, dir, s)]));
    for (const service of SERVICES) {
      const info = inspectContainer(ids[service]!);
      expect(info.State.Running).toBe(true);
      expect(info.Config.Labels).toMatchObject({
        [LABELS.project]: PROJECT,
        [LABELS.service]: service,
        [LABELS.root]: dir,
      });
      expect(info.Config.Labels?.[LABELS.hash]).toMatch(/^[0-9a-f]{16}$/);
      const start = session.records.find((r) => r.service === service && r.kind === 'start');
      // A service that waits for another starts its container meanwhile when its image is there.
      expect(start?.spans.find((s) => s.name === 'start')?.detail).toMatch(
        new RegExp(`^container ${ids[service]!.slice(0, 12)}(, started \\S+ ahead and held until now)?$`),
      );
    }

    expect(await answer(`${api}/version`)).toBe('1.0.0\n');
    const page = await answer(`${web}/`);
    expect(page).toContain('web <b>1.0.0</b>');
    // web reaches the api over the project network by its service name.
    expect(page).toContain('api <b>1.0.0</b> says');
    expect(await answer(`${stat}/`)).toContain('<html');

    // Go: compiled on the host, the binary shipped into the running container, process restarted.
    const apiPid = inspectContainer(ids.api!).State.Pid;
    const goRecord = await edit('api', path.join(dir, 'api', 'main.go'), '"1.0.0"', '"1.0.1"');
    expect(goRecord, goRecord.error?.message).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(names(goRecord)).toEqual(['detect', 'plan', 'build', 'sync', 'restart', 'ready']);
    const goSync = goRecord.spans.find((s) => s.name === 'sync')!;
    expect(goSync.bytes).toBeGreaterThan(1_000_000);
    expect(goSync.bytes).toBe(fs.statSync(path.join(dir, 'api', 'bin', 'api')).size);
    expect(goRecord.plan?.syncs).toEqual([
      {
        from: path.join(dir, 'api', 'bin', 'api'),
        to: '/api',
        kind: 'change',
        output: 'compile',
        root: '/api',
      },
    ]);
    expect(goRecord.editToLiveMs).toBeGreaterThan(0);
    expect(await answer(`${api}/version`), recent('api')).toBe('1.0.1\n');
    // The same container (not replaced), its supervisor (PID 1) untouched.
    expect(containerOf(PROJECT, dir, 'api')).toBe(ids.api);
    expect(inspectContainer(ids.api!).State.Pid).toBe(apiPid);
    expect(await answer(`${web}/`)).toContain('api <b>1.0.1</b> says');

    // Node: source synced into the container, process restarted.
    const webFile = path.join(dir, 'web', 'src', 'home.js');
    const webRecord = await edit(
      'web',
      webFile,
      '<h1>pitstop quickstart</h1>',
      '<h1>edited by the test</h1>',
    );
    expect(webRecord, webRecord.error?.message).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(names(webRecord)).toEqual(['detect', 'plan', 'sync', 'restart', 'ready']);
    expect(webRecord.spans.find((s) => s.name === 'sync')?.bytes).toBe(fs.statSync(webFile).size);
    expect(await answer(`${web}/`), recent('web')).toContain('<h1>edited by the test</h1>');
    expect(containerOf(PROJECT, dir, 'web')).toBe(ids.web);

    // Static: synced only, nothing restarted (the same httpd process serves the new file).
    const httpd = processesOf(ids.static!).find((p) => p.args.includes('httpd'));
    expect(httpd).toBeDefined();
    const html = path.join(dir, 'static', 'public', 'index.html');
    const staticRecord = await edit('static', html, '</body>', '<p>static edit</p></body>');
    expect(staticRecord, staticRecord.error?.message).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(names(staticRecord)).toEqual(['detect', 'plan', 'sync']);
    expect(staticRecord.spans.find((s) => s.name === 'sync')?.bytes).toBeGreaterThan(0);
    expect(await answer(`${stat}/`), recent('static')).toContain('static edit');
    expect(containerOf(PROJECT, dir, 'static')).toBe(ids.static);
    expect(processesOf(ids.static!).find((p) => p.args.includes('httpd'))?.pid).toBe(httpd?.pid);

    // `down` from another terminal stops the session and removes every container and the network.
    const down = await runCliAsync(['down'], dir);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('stopped the session');
    await eventually(() => session!.child.exitCode !== null, 30_000, 'pitstop up to exit');
    expect(session.child.exitCode).toBe(0);
    expect(await leftovers(PROJECT, dir)).toEqual([]);
    expect(dockerRun('network', 'inspect', `pitstop-${PROJECT}`).code).not.toBe(0);
    for (const id of Object.values(ids)) expect(dockerRun('inspect', id).code).not.toBe(0);

    // ci on docker: builds what changed, starts everything once, prints the table, exits 0, cleans up.
    const ci = await runCliAsync(['ci', '--runtime', 'docker'], dir, 120_000);
    expect(ci.code, `${ci.stdout}\n${ci.stderr}`).toBe(0);
    expect(ci.stdout).toMatch(/service\s+build\s+start\s+ready\s+total\s+result/);
    for (const service of SERVICES) expect(ci.stdout).toMatch(new RegExp(`^${service}\\s.*\\sready$`, 'm'));
    expect(ci.stdout).toContain('ci: all services ready');
    expect(await leftovers(PROJECT, dir)).toEqual([]);
    expect(dockerRun('network', 'inspect', `pitstop-${PROJECT}`).code).not.toBe(0);
  });
});
