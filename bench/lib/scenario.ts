import type { GoalCheck, ResultEntry } from './results.js';
import { entryFrom } from './results.js';

export interface ScenarioContext {
  quick: boolean;
  /** Measured edits per loop. */
  runs: number;
  /** Unmeasured edits per loop before the measured ones. */
  warmup: number;
  /** Makes every version string of this bench run unique. */
  runId: string;
  /** The environment every loop runs in (PATH includes the Go toolchain). */
  env: NodeJS.ProcessEnv;
  /** Progress for people watching; goes to stderr so stdout stays the report. */
  log(message: string): void;
  /** The results of the scenarios that ran before this one in the same run (S2 compares with S1). */
  earlier: readonly ResultEntry[];
}

export interface ScenarioOutcome {
  results: ResultEntry[];
  goals: GoalCheck[];
}

export interface Scenario {
  id: string;
  title: string;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}

/**
 * The edit counts for a scenario whose edits take seconds: with `--quick`, at most `quick.runs`
 * measured and `quick.warmup` unmeasured edits (the set-up has already compiled, built and
 * started everything once, so a warm-up adds little); otherwise the context's own.
 */
export function editCounts(
  ctx: ScenarioContext,
  quick: { runs: number; warmup: number },
): { runs: number; warmup: number } {
  if (!ctx.quick) return { runs: ctx.runs, warmup: ctx.warmup };
  return { runs: Math.min(ctx.runs, quick.runs), warmup: Math.min(ctx.warmup, quick.warmup) };
}

/**
 * The outcome of a scenario that cannot run here (missing infrastructure): one entry saying why,
 * which is not an error (the exit code stays 0), and its goals unmeasured.
 */
export function skippedOutcome(scenario: string, reason: string, goals: string[]): ScenarioOutcome {
  const entry = entryFrom(scenario, '-', null, null, { skipped: reason });
  return {
    results: [entry],
    goals: goals.map((goal) => ({
      scenario,
      goal,
      measured: `not measured (skipped: ${reason})`,
      met: null,
    })),
  };
}
