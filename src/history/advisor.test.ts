import { describe, expect, it } from 'vitest';
import { advise } from './advisor.js';
import {
  apiRecords,
  dockerfileFacts,
  needyProject,
  needyRecords,
  ROOT,
  siteRecords,
  webRecords,
  workerRecords,
} from './advisor-fixtures.js';
import { median } from './stats.js';
import { plan } from './testing.js';

describe('advise', () => {
  it('turns the measurements of a slow project into the talk’s advice, with evidence', () => {
    const records = needyRecords(10, 2_500_000);
    const got = advise(needyProject(), records, { dockerfileAdvice: dockerfileFacts });
    expect(got.map((s) => `${s.rule}:${s.service}`).sort()).toEqual([
      'compiler-cache:api',
      'dockerfile-order:web',
      'host-compile:api',
      'strip-debug:worker',
      'sync-rule:site',
      'sync-rule:web',
    ]);
    for (const s of got) expect(s.evidence.length).toBeGreaterThanOrEqual(2);
    // Largest saving first: web's image rebuild and replace, which a sync rule avoids.
    expect(got[0]!.rule).toBe('sync-rule');
    const savings = got.map((s) => s.savingMs ?? -1);
    expect(savings).toEqual([...savings].sort((a, b) => b - a));
  });

  it('estimates the host compile from another service’s host builds of the same compiler', () => {
    const records = needyRecords(10, 2_500_000);
    const s = advise(needyProject(), records).find((x) => x.rule === 'host-compile')!;
    const runs = records.flatMap((r) => r.spans.filter((x) => x.name === 'run').map((x) => x.durationMs));
    const builds = records.flatMap((r) => r.spans.filter((x) => x.name === 'build').map((x) => x.durationMs));
    const ships = records
      .filter((r) => r.service === 'worker')
      .flatMap((r) => r.spans.filter((x) => x.name === 'sync').map((x) => x.durationMs));
    expect(s.savingMs).toBeCloseTo(median(runs)! - median(builds)! - median(ships)!, 0);
    expect(s.evidence[0]).toMatch(
      /"go build -o \/usr\/local\/bin\/app \." inside the container: median [\d.]+ s over 10 updates/,
    );
    expect(s.evidence[1]).toMatch(/go on the host \(worker step "compile"\)/);
    expect(s.detail).toMatch(/go build -o bin\/api/);
  });

  it('weighs the shipping of the binary: over a slow link a quick in-container compile stays', () => {
    const project = needyProject();
    const slow = [...apiRecords(10, 2400), ...workerRecords(10, 2_500_000)];
    expect(advise(project, slow).some((x) => x.rule === 'host-compile')).toBe(false);
    const fast = [...apiRecords(10, 2400), ...workerRecords(10, 300_000_000)];
    expect(advise(project, fast).find((x) => x.rule === 'host-compile')!.evidence[2]).toMatch(
      /shipping worker's binary into its container: median \d+ ms/,
    );
  });

  it('measures what a lost compiler cache costs: first compile in a new container vs later ones', () => {
    const s = advise(needyProject(), needyRecords(10, 2_500_000)).find((x) => x.rule === 'compiler-cache')!;
    expect(s.detail).toMatch(/volumes: \["go-build-cache:\/root\/.cache\/go-build"\]/);
    expect(s.evidence.join('\n')).toMatch(
      /first compile in a new container: median [\d.]+ s \(2×\); later ones: median [\d.]+ s \(8×\)/,
    );
    // (cold − warm) spread over all compiles: about (12000 − 6000) × 2 / 10.
    expect(s.savingMs).toBeGreaterThan(900);
    expect(s.savingMs).toBeLessThan(1500);
  });

  it('strips the Go binary only when the link is slow', () => {
    const slow = advise(needyProject(), needyRecords(10, 2_500_000)).find((x) => x.rule === 'strip-debug')!;
    expect(slow.detail).toContain('cmd: go build -ldflags "-s -w" -o bin/worker .');
    // 9 MB × 30 % over 2.5 MB/s.
    expect(Math.abs(slow.savingMs! - 1080)).toBeLessThan(60);
    expect(slow.evidence[1]).toMatch(/2\.\d MB\/s \(\d+(\.\d)? Mbit\/s, measured from 10 syncs\)/);
    const local = advise(needyProject(), needyRecords(10, 300_000_000));
    expect(local.some((x) => x.rule === 'strip-debug')).toBe(false);
    const told = advise(needyProject(), needyRecords(10, 300_000_000), { linkBytesPerSec: 2_500_000 });
    expect(told.find((x) => x.rule === 'strip-debug')!.evidence[1]).toMatch(/20 Mbit\/s, measured\)/);
  });

  it('prices the Dockerfile order by the install step that keeps running', () => {
    const records = webRecords(10);
    const s = advise(needyProject(), records, { dockerfileAdvice: dockerfileFacts }).find(
      (x) => x.rule === 'dockerfile-order',
    )!;
    const installs = records.flatMap((r) =>
      r.spans[0]!.children!.filter((c) => c.detail === '[3/5] RUN npm ci' && c.outcome === 'ok').map(
        (c) => c.durationMs,
      ),
    );
    expect(s.savingMs).toBeCloseTo(median(installs)!, 0);
    expect(s.evidence[0]).toMatch(/"RUN npm ci" ran again in 8 of 10 image builds/);
    expect(s.detail).toContain('  COPY package.json package-lock.json /app/');
    // Without the Dockerfile finding there is nothing to reorder.
    expect(advise(needyProject(), records).some((x) => x.rule === 'dockerfile-order')).toBe(false);
  });

  it('suggests a sync rule for the folder the uncovered edits share', () => {
    const s = advise(needyProject(), siteRecords(8)).find((x) => x.rule === 'sync-rule')!;
    expect(s.title).toBe('add a sync rule for templates/');
    expect(s.detail).toContain('- sync: { from: templates, to: /app/templates }');
    expect(s.evidence[0]).toBe(
      '8 of 8 live updates were full rebuilds: no live_update rule covered a changed file',
    );
    expect(s.savingMs).toBeGreaterThan(3000);
  });

  it('has nothing to say about a project already built the fast way', () => {
    const project = needyProject();
    const api = project.services[0]!;
    api.docker.volumes.push({
      kind: 'volume',
      source: 'gocache',
      target: '/root/.cache/go-build',
      readOnly: false,
    });
    const worker = project.services[1]!;
    worker.build[0]!.cmd = { shell: 'go build -ldflags "-s -w" -o bin/worker .' };
    const site = project.services[3]!;
    site.liveUpdate.push({ kind: 'sync', from: `${ROOT}/site/templates`, to: '/app/templates' });
    const web = project.services[2]!;
    web.liveUpdate.push({ kind: 'sync', from: `${ROOT}/web/src`, to: '/app/src' });
    // api compiles in the container as fast as worker does on the host; web's edits are synced.
    const records = [
      ...apiRecords(10, 950),
      ...workerRecords(10, 300_000_000, true),
      ...webRecords(10).map((r) => ({
        ...r,
        spans: [{ name: 'sync' as const, startedAt: r.startedAt, durationMs: 5, outcome: 'ok' as const }],
        plan: plan({ reason: 'live update: sync 1 file' }),
      })),
      ...siteRecords(10).map((r) => ({
        ...r,
        plan: plan({ syncs: [], reason: 'live update: sync 1 file' }),
      })),
    ];
    expect(advise(project, records, {})).toEqual([]);
  });

  it('says nothing on too little data', () => {
    const few = needyRecords(2, 2_500_000);
    expect(advise(needyProject(), few, { dockerfileAdvice: dockerfileFacts })).toEqual([]);
    expect(advise(needyProject(), [], { dockerfileAdvice: dockerfileFacts, linkBytesPerSec: 1000 })).toEqual(
      [],
    );
  });
});
