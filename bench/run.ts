// `npm run bench [-- --quick] [-- --only S0,S6]`: runs the scenarios, prints a table of
// medians and ratios, and writes bench/results/latest.json.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sweepDockerAgain } from './lib/docker.js';
import { machineInfo, pathWithGo } from './lib/machine.js';
import { runCleanups } from './lib/procs.js';
import {
  type BenchReport,
  formatGoals,
  formatTable,
  type GoalCheck,
  type ResultEntry,
  writeReport,
} from './lib/results.js';
import type { Scenario } from './lib/scenario.js';
import { repoRoot } from './lib/tmp.js';
import { d1 } from './scenarios/d1-dashboard-idle.js';
import { h1 } from './scenarios/h1-history-cost.js';
import { s0 } from './scenarios/s0-go-local.js';
import { s1 } from './scenarios/s1-go-docker.js';
import { s2 } from './scenarios/s2-go-remote.js';
import { s3 } from './scenarios/s3-node-sync.js';
import { s4 } from './scenarios/s4-static-sync.js';
import { s5 } from './scenarios/s5-warm-up.js';
import { s6 } from './scenarios/s6-idle-watch.js';

const SCENARIOS: Scenario[] = [s0, s1, s2, s3, s4, s5, s6, h1, d1];

const SLOW_IN_QUICK = ['S2'];

const USAGE = `usage: tsx bench/run.ts [--quick] [--only S0,S1] [--runs N] [--warmup N] [--out FILE]
  --quick     5 measured edits per loop and 1 warm-up (S1, S3: 3 edits, S2: 2, S5: 2 starts; no
              warm-up on Docker but pitstop's one on the remote), 10 s idle samples
  --only      run only these scenarios (known: ${SCENARIOS.map((s) => s.id).join(', ')})
  --runs      measured edits per loop (default 10, quick 5)
  --warmup    unmeasured edits per loop first (default 2, quick 1)
  --out       where to write the JSON report (default bench/results/latest.json)`;

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const count = (v: string | undefined, fallback: number, name: string) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, got "${v}"`);
    return n;
  };
  const wanted = values.only
    ?.split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  const unknown = wanted?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
  if (unknown.length) {
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`,
    );
  }
  return {
    quick: values.quick,
    // The remote scenario alone takes a minute over its 20 Mbit/s link: `--quick` runs it only
    // when named (`--quick --only S2`).
    scenarios: wanted
      ? SCENARIOS.filter((s) => wanted.includes(s.id))
      : SCENARIOS.filter((s) => !(values.quick && SLOW_IN_QUICK.includes(s.id))),
    runs: count(values.runs, values.quick ? 5 : 10, 'runs'),
    warmup: count(values.warmup, values.quick ? 1 : 2, 'warmup'),
    out: path.resolve(values.out ?? path.join(repoRoot, 'bench', 'results', 'latest.json')),
  };
}

async function main(): Promise<number> {
  let opts: ReturnType<typeof options>;
  try {
    opts = options();
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  // Interrupted runs still tear down: no service or watcher outlives the bench. One Ctrl-C
  // under `npm run` arrives twice (the terminal signals the whole group, and tsx relays it):
  // a repeat within a second is that echo; a later one means "stop now", teardown or not.
  let interruptedAt: number | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interruptedAt !== undefined) {
        if (Date.now() - interruptedAt < 1000) return;
        process.stderr.write(`\n${signal} again: exiting without finishing the teardown\n`);
        process.exit(130);
      }
      interruptedAt = Date.now();
      process.stderr.write(`\n${signal}: tearing down...\n`);
      void runCleanups()
        // A set-up still under way when the teardowns ran may have created containers since.
        .then(() => sweepDockerAgain())
        .finally(() => process.exit(130));
    });
  }

  const startedAt = new Date().toISOString();
  const machine = await machineInfo();
  const log = (message: string) => process.stderr.write(`${message}\n`);
  log(
    `pitstop bench: ${machine.cpus} × ${machine.cpu_model}, node ${machine.node}, go ${machine.go ?? 'missing'}`,
  );
  const results: ResultEntry[] = [];
  const ctx = {
    quick: opts.quick,
    runs: opts.runs,
    warmup: opts.warmup,
    runId: randomBytes(3).toString('hex'),
    env: { ...process.env, PATH: pathWithGo() },
    log,
    earlier: results,
  };

  const goals: GoalCheck[] = [];
  for (const scenario of opts.scenarios) {
    if (interruptedAt !== undefined) break;
    log(`${scenario.id}: ${scenario.title}`);
    const scenarioStarted = Date.now();
    try {
      const outcome = await scenario.run(ctx);
      results.push(...outcome.results);
      goals.push(...outcome.goals);
    } catch (err) {
      log(`${scenario.id} failed: ${(err as Error).stack ?? err}`);
      results.push({
        scenario: scenario.id,
        loop: '-',
        runs: 0,
        min_ms: null,
        median_ms: null,
        p95_ms: null,
        max_ms: null,
        bytes_median: null,
        error: (err as Error).message,
      });
    } finally {
      await runCleanups();
      log(`${scenario.id}: ${((Date.now() - scenarioStarted) / 1000).toFixed(1)} s`);
    }
  }

  const report: BenchReport = {
    machine,
    startedAt,
    finishedAt: new Date().toISOString(),
    quick: opts.quick,
    results,
    goals,
  };
  writeReport(opts.out, report);
  console.log(`\n${formatTable(results)}\n`);
  if (goals.length) console.log(`${formatGoals(goals)}\n`);
  console.log(
    `times in ms (edit-to-live unless noted); written to ${path.relative(process.cwd(), opts.out)}`,
  );
  // A loop that could not run is a broken bench, not a slow result: say so in the exit code.
  return results.some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (err) => {
    console.error(err);
    await runCleanups();
    process.exitCode = 1;
  },
);
