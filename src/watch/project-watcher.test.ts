import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Project } from '../model/project.js';
import type { ChangeBatch } from '../model/update.js';
import { type ProjectWatcher, startProjectWatcher } from './project-watcher.js';
import { makeProject, makeService, makeTempDir, removeDir, sleep, waitFor } from './testing.js';

const run = promisify(execFile);

let root: string;
let watcher: ProjectWatcher | undefined;
let batches: ChangeBatch[];
let problems: string[];

beforeEach(async () => {
  root = await makeTempDir();
  batches = [];
  problems = [];
});

afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await removeDir(root);
});

const p = (...parts: string[]) => path.join(root, ...parts);
const reported = () => new Set(batches.flatMap((b) => b.changes.map((c) => c.path)));

async function start(project: Project): Promise<ProjectWatcher> {
  watcher = await startProjectWatcher(project, {
    onBatch: (batch) => batches.push(batch),
    onWarning: (message) => problems.push(`warning: ${message}`),
    onError: (err) => problems.push(`error: ${err.message}`),
  });
  return watcher;
}

describe('startProjectWatcher', () => {
  it('gets a single save to a batch within settleMs of the first event', async () => {
    mkdirSync(p('api/src'), { recursive: true });
    const project = makeProject(root, [makeService('api', p('api'))], { settleMs: 10 });
    await start(project);
    writeFileSync(p('api/src/main.ts'), 'export {}');
    await waitFor(() => batches.length > 0, 'the batch');
    const batch = batches[0]!;
    expect(batch.changes).toEqual([{ path: p('api/src/main.ts'), kind: 'change' }]);
    // The batch's own timestamps, not wall time: robust on a busy machine.
    expect(batch.cutAt - batch.firstSeenAt).toBeLessThanOrEqual(project.settleMs + 15);
    expect(problems).toEqual([]);
  });

  it('reports a 5,000-file burst across 50 new folders as exactly one batch', async () => {
    mkdirSync(p('app'));
    await start(makeProject(root, [makeService('app', p('app'))], { settleMs: 10, maxBatchMs: 30_000 }));
    // Another process, as git would be: it writes while the watcher adds watches for new folders.
    // It also tells how often it was itself held up longer than the default quiet that ends a
    // burst (50 ms): on a loaded machine the writer can be descheduled, and a pause that long
    // rightly ends the batch — one more batch per such pause is what the watcher promises.
    const writer = `
      const fs = require('node:fs'), path = require('node:path');
      let last = performance.now(), pauses = 0;
      const wrote = () => { const now = performance.now(); if (now - last > 50) pauses++; last = now; };
      for (let d = 0; d < 50; d++) {
        const dir = path.join(process.argv[1], 'gen', 'd' + d);
        fs.mkdirSync(dir, { recursive: true });
        wrote();
        for (let f = 0; f < 100; f++) { fs.writeFileSync(path.join(dir, 'f' + f + '.txt'), 'x' + f); wrote(); }
      }
      process.stdout.write(String(pauses));`;
    const pauses = Number((await run(process.execPath, ['-e', writer, p('app')])).stdout);
    const expected: string[] = [];
    for (let d = 0; d < 50; d++)
      for (let f = 0; f < 100; f++) expected.push(p('app/gen', `d${d}`, `f${f}.txt`));
    await waitFor(() => {
      const seen = reported();
      return expected.every((file) => seen.has(file));
    }, 'every file of the burst');
    await sleep(300); // long past burstSettleMs: a late second batch would have been cut by now
    expect(batches.length).toBeGreaterThanOrEqual(1);
    expect(batches.length).toBeLessThanOrEqual(1 + pauses);
    expect(batches.reduce((n, b) => n + b.changes.length, 0)).toBe(5_000);
    expect(watcher!.watchedDirs()).toBe(52);
    expect(problems).toEqual([]);
  });

  it("never reports pitstop's state dir or build outputs, and watches the minimal roots", async () => {
    mkdirSync(p('api/bin'), { recursive: true });
    mkdirSync(p('.pitstop/logs'), { recursive: true });
    const api = makeService('api', p('api'), {
      build: [
        { name: 'go', cmd: { shell: 'go build' }, cwd: p('api'), env: {}, inputs: [], outputs: ['bin/'] },
      ],
    });
    // The second service watches the whole root, which contains api: one tree, watched once.
    const w = await start(makeProject(root, [api, makeService('all', root)]));
    expect(w.watchedDirs()).toBe(2); // root and api; not .pitstop, not api/bin
    writeFileSync(p('.pitstop/logs/api.log'), 'line');
    writeFileSync(p('api/bin/api'), 'ELF');
    writeFileSync(p('api/main.go'), 'package main');
    await waitFor(() => reported().has(p('api/main.go')), 'the source change');
    expect([...reported()]).toEqual([p('api/main.go')]);
  });
});
