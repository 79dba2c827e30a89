// S6: pitstop idle while watching a 50,000-file tree. Nothing changes during the sample, so
// any CPU it uses is the watcher's own cost; memory shows what holding the tree costs.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PitstopEvent } from '../../src/events.js';
import { now } from '../lib/edit.js';
import { assertPitstopBuilt, PitstopSession, type StopReport } from '../lib/pitstop.js';
import { sampleUsage } from '../lib/procfs.js';
import { onCleanup } from '../lib/procs.js';
import { entryFrom, type GoalCheck, type ResultEntry } from '../lib/results.js';
import type { Scenario } from '../lib/scenario.js';
import { round } from '../lib/stats.js';
import { makeTempDir, removeDir } from '../lib/tmp.js';
import { FIFTY_THOUSAND, generateTree } from '../lib/tree.js';

const CPU_GOAL_PCT = 1;
const RSS_GOAL_MB = 150;

// The service does nothing: whatever pitstop spends is spent on watching.
const pitstopYaml = `name: bench-s6
services:
  idle:
    dir: tree
    run: sleep 100000
`;

type BatchEvent = Extract<PitstopEvent, { type: 'batch' }>;

export const s6: Scenario = {
  id: 'S6',
  title: 'idle watching of a 50,000-file tree',
  async run(ctx) {
    const sampleMs = ctx.quick ? 10_000 : 30_000;
    const root = makeTempDir('s6');
    let session: PitstopSession | undefined;
    let stopped: StopReport | undefined;
    const teardown = async () => {
      if (session) stopped = await session.stop();
      session = undefined;
      removeDir(root);
    };
    const removeCleanup = onCleanup(teardown);
    const extra: Record<string, unknown> = {};
    let error: string | undefined;
    try {
      assertPitstopBuilt();
      const genStart = now();
      const files = await generateTree(path.join(root, 'tree'), FIFTY_THOUSAND);
      extra.watched_files = files;
      ctx.log(`  generated ${files} files in ${((now() - genStart) / 1000).toFixed(1)} s`);
      writeFileSync(path.join(root, 'pitstop.yaml'), pitstopYaml);

      const started = now();
      session = PitstopSession.start(root, ctx.env);
      const ready = await session.waitReady(120_000);
      extra.ready_ms = round(now() - started);
      extra.ready_self_reported_ms = round(ready.durationMs);
      ctx.log(`  pitstop ready in ${extra.ready_ms} ms; sampling for ${sampleMs / 1000} s`);

      // A moment for the ready event's own work to finish; the initial crawl is not excused.
      await new Promise((r) => setTimeout(r, 1000));
      Object.assign(extra, await sampleUsage(session.pid, sampleMs));

      // Proof that the quiet was a watcher watching, not one that saw nothing: a deep edit must show up.
      const since = session.events.length;
      const editedAt = now();
      writeFileSync(
        path.join(root, 'tree', 'pkg49', 'mod49', 'file19.ts'),
        `export const value19 = ${Date.now()};\n`,
      );
      try {
        await session.waitFor((e): e is BatchEvent => e.type === 'batch', 5000, since);
        extra.change_seen_ms = round(now() - editedAt);
      } catch {
        extra.change_seen_ms = null;
        ctx.log('  a change deep in the tree was not reported within 5 s');
      }
    } catch (err) {
      error = (err as Error).message;
      ctx.log(`  failed: ${error}`);
    } finally {
      await teardown();
      removeCleanup();
    }
    if (stopped) {
      extra.clean_exit = stopped.clean && stopped.stragglers.length === 0;
      for (const l of stopped.stragglers)
        ctx.log(`  pitstop left pid ${l.pid} running (${l.command}); killed`);
    }
    if (error) extra.error = error;

    const entry: ResultEntry = entryFrom('S6', 'pitstop', null, null, extra);
    entry.runs = typeof extra.cpu_pct === 'number' ? 1 : 0;
    const cpu = typeof extra.cpu_pct === 'number' ? extra.cpu_pct : null;
    const rss = typeof extra.rss_mb === 'number' ? extra.rss_mb : null;
    const goals: GoalCheck[] = [
      {
        scenario: 'S6',
        goal: `< ${CPU_GOAL_PCT} % of a core idle`,
        measured: cpu == null ? 'not measured' : `${cpu} % (busiest second ${extra.cpu_pct_max_interval} %)`,
        met: cpu == null ? null : cpu < CPU_GOAL_PCT,
      },
      {
        scenario: 'S6',
        goal: `< ${RSS_GOAL_MB} MB resident`,
        measured: rss == null ? 'not measured' : `${rss} MB (peak ${extra.peak_rss_mb} MB)`,
        met: rss == null ? null : rss < RSS_GOAL_MB,
      },
    ];
    return { results: [entry], goals };
  },
};
