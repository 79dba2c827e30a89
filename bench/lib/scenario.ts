import type { GoalCheck, ResultEntry } from './results.js';

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
