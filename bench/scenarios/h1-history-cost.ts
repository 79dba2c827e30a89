// H1: what keeping history costs. The S0 service (Go, local process, compile + restart) under
// two pitstop loops in the same run, alternating: one with its SQLite history (the default),
// one with PITSTOP_HISTORY=off (history kept in memory only, nothing written to disk). The
// history write is meant to happen after the update, off the edit-to-live path: the two should
// be equal within noise.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { runAlternating } from '../lib/loops.js';
import type { Scenario } from '../lib/scenario.js';
import { ratio, round } from '../lib/stats.js';
import { pitstopLoop } from '../loops/pitstop.js';

const FIXTURE = 'go-version';
const BUILD = 'go build -o bin/svc .';
/** The switch pitstop honours (src/main.ts): history in memory only. */
const HISTORY_OFF = { PITSTOP_HISTORY: 'off' };
const HISTORY_FILE = path.join('.pitstop', 'history.db');
/** The bench's own bar (the brief sets none): history may add this much beyond the build step. */
const COST_BAR_MS = 5;

const pitstopYaml = (port: number) => `name: bench-h1
services:
  svc:
    dir: .
    build:
      - name: compile
        cmd: ${BUILD}
        inputs: ["**/*.go", go.mod]
        outputs: [bin]
        env: { CGO_ENABLED: "0" }
    run: ./bin/svc
    env: { PORT: "${port}" }
    ports: [${port}]
    ready: { http: http://127.0.0.1:${port}/healthz }
    live_update:
      - restart: process
`;

/** Whether pitstop wrote its history database, and how big it grew. */
function historyFacts(dir: string): Record<string, unknown> {
  const file = path.join(dir, HISTORY_FILE);
  return existsSync(file)
    ? { history_db: true, history_db_bytes: statSync(file).size }
    : { history_db: false };
}

export const h1: Scenario = {
  id: 'H1',
  title: 'history cost: the S0 loop with and without the SQLite history (PITSTOP_HISTORY=off)',
  async run(ctx) {
    const common = {
      fixture: FIXTURE,
      service: 'svc',
      editFile: 'main.go',
      yaml: pitstopYaml,
      versionUrl: (port: number) => `http://127.0.0.1:${port}/version`,
      runId: ctx.runId,
      log: ctx.log,
      facts: historyFacts,
    };
    const loops = [
      pitstopLoop({ ...common, name: 'pitstop', env: ctx.env }),
      pitstopLoop({ ...common, name: 'pitstop no history', env: { ...ctx.env, ...HISTORY_OFF } }),
    ];
    const results = await runAlternating('H1', loops, {
      warmup: ctx.warmup,
      runs: ctx.runs,
      gapMs: 300,
      log: ctx.log,
    });

    const on = results.find((r) => r.loop === 'pitstop');
    const off = results.find((r) => r.loop === 'pitstop no history');
    const r = ratio(on?.median_ms, off?.median_ms);
    const beyond = (e: typeof on) => (typeof e?.beyond_build_ms === 'number' ? e.beyond_build_ms : null);
    const onBeyond = beyond(on);
    const offBeyond = beyond(off);
    const cost = onBeyond != null && offBeyond != null ? round(onBeyond - offBeyond) : null;
    if (on) {
      on.ratio_vs_no_history = r === undefined ? null : round(r, 3);
      on.history_cost_ms = cost;
    }
    const honoured = off ? off.history_db === false && on?.history_db === true : null;
    return {
      results,
      goals: [
        {
          scenario: 'H1',
          goal: `history adds ≤ ${COST_BAR_MS} ms (bench's bar; the brief sets none)`,
          measured:
            r === undefined
              ? 'not measured'
              : `with/without = ${r.toFixed(3)} (${on?.median_ms} vs ${off?.median_ms} ms); beyond the build step ${onBeyond} vs ${offBeyond} ms: ${cost} ms`,
          met: cost == null ? null : cost <= COST_BAR_MS,
        },
        {
          scenario: 'H1',
          goal: 'PITSTOP_HISTORY=off is honoured (no history.db)',
          measured:
            honoured == null
              ? 'not measured'
              : `history.db written: with ${on?.history_db ? 'yes' : 'no'}, off ${off?.history_db ? 'yes' : 'no'}`,
          met: honoured,
        },
      ],
    };
  },
};
