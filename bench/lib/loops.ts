// The edit-loop runner. Every loop of a scenario is set up side by side, then the loops take
// turns (A B C A B C ...) so that drift in the machine's speed hits all of them alike.
import { onCleanup } from './procs.js';
import { entryFrom, type ResultEntry } from './results.js';
import { median, summarize } from './stats.js';

export interface EditResult {
  /** Edit-to-live (or, for a reference loop, the timed step alone). */
  ms: number;
  bytes?: number;
  /** Step durations the tool under test recorded for this edit, by step name. */
  steps?: Record<string, number>;
  /** Other per-edit figures; their medians land in the result entry. */
  extra?: Record<string, number>;
}

export interface Loop {
  name: string;
  setup(): Promise<void>;
  /** Makes edit number `n` (unique within the loop) and measures it. */
  edit(n: number): Promise<EditResult>;
  /** Must leave no process behind, also after a failed setup or edit. */
  teardown(): Promise<void>;
  /** Loop-level facts for the result entry, read after teardown (e.g. whether it exited cleanly). */
  extra?(): Record<string, unknown>;
  /**
   * Unmeasured edits this loop needs before its measured ones whatever the scenario's warm-up
   * (e.g. pitstop over a slow link: the first sync after a start sends the whole file).
   */
  warmup?: number;
}

export interface RunOptions {
  warmup: number;
  runs: number;
  /** Pause between two edits so one loop's aftermath (logs, history writes) doesn't bleed into the next. */
  gapMs: number;
  /**
   * Set the loops up (and tear them down) all at once rather than one after the other: for
   * loops whose set-up takes seconds (image builds, container starts). Nothing is measured then.
   */
  parallelSetup?: boolean;
  log(message: string): void;
}

/** A loop that fails this many edits in a row is dropped for the rest of the scenario. */
const MAX_CONSECUTIVE_FAILURES = 3;

interface LoopState {
  loop: Loop;
  n: number;
  results: EditResult[];
  failures: number;
  consecutive: number;
  error?: string;
  active: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function oneEdit(s: LoopState, measured: boolean, opts: RunOptions): Promise<void> {
  const n = s.n++;
  try {
    const result = await s.loop.edit(n);
    s.consecutive = 0;
    if (measured) s.results.push(result);
    opts.log(`  ${s.loop.name} #${n}${measured ? '' : ' (warm-up)'}: ${result.ms.toFixed(1)} ms`);
  } catch (err) {
    s.failures++;
    s.consecutive++;
    s.error = (err as Error).message;
    opts.log(`  ${s.loop.name} #${n} failed: ${s.error}`);
    if (s.consecutive >= MAX_CONSECUTIVE_FAILURES) {
      s.active = false;
      opts.log(`  ${s.loop.name}: ${MAX_CONSECUTIVE_FAILURES} failures in a row, dropped`);
    }
  }
  await sleep(opts.gapMs);
}

function toEntry(scenario: string, s: LoopState): ResultEntry {
  const ms = s.results.map((r) => r.ms);
  const bytes = s.results.flatMap((r) => (r.bytes === undefined ? [] : [r.bytes]));
  const medians = (pick: (r: EditResult) => Record<string, number> | undefined) => {
    const keys = new Set(s.results.flatMap((r) => Object.keys(pick(r) ?? {})));
    if (keys.size === 0) return undefined;
    const out: Record<string, number> = {};
    for (const k of keys) {
      const values = s.results.flatMap((r) => (pick(r)?.[k] === undefined ? [] : [pick(r)![k]!]));
      out[k] = Math.round(median(values) * 10) / 10;
    }
    return out;
  };
  const extra: Record<string, unknown> = { ...medians((r) => r.extra), ...s.loop.extra?.() };
  const steps = medians((r) => r.steps);
  if (steps) extra.steps_median_ms = steps;
  if (s.failures) extra.failures = s.failures;
  if (s.error && (!s.active || ms.length === 0)) extra.error = s.error;
  return entryFrom(
    scenario,
    s.loop.name,
    ms.length ? summarize(ms) : null,
    bytes.length ? median(bytes) : null,
    extra,
  );
}

export async function runAlternating(
  scenario: string,
  loops: Loop[],
  opts: RunOptions,
): Promise<ResultEntry[]> {
  const states: LoopState[] = [];
  const removers: Array<() => void> = [];
  try {
    const setUp = async (state: LoopState) => {
      opts.log(`  ${state.loop.name}: setting up`);
      try {
        await state.loop.setup();
      } catch (err) {
        state.active = false;
        state.error = `setup failed: ${(err as Error).message}`;
        opts.log(`  ${state.loop.name}: ${state.error}`);
      }
    };
    for (const loop of loops) {
      states.push({ loop, n: 0, results: [], failures: 0, consecutive: 0, active: true });
      removers.push(onCleanup(() => loop.teardown()));
    }
    if (opts.parallelSetup) await Promise.all(states.map(setUp));
    else for (const state of states) await setUp(state);
    const warmups = (s: LoopState) => Math.max(opts.warmup, s.loop.warmup ?? 0);
    const rounds = Math.max(0, ...states.map(warmups));
    for (let i = 0; i < rounds; i++) {
      for (const s of states) if (s.active && i < warmups(s)) await oneEdit(s, false, opts);
    }
    for (let i = 0; i < opts.runs; i++) {
      for (const s of states) if (s.active) await oneEdit(s, true, opts);
    }
  } finally {
    const tearDown = async (s: LoopState) => {
      try {
        await s.loop.teardown();
      } catch (err) {
        opts.log(`  ${s.loop.name}: teardown failed: ${(err as Error).message}`);
      }
    };
    if (opts.parallelSetup) await Promise.all(states.map(tearDown));
    else for (const s of states) await tearDown(s);
    for (const remove of removers) remove();
  }
  return states.map((s) => toEntry(scenario, s));
}
