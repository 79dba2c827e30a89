// pitstop's own loop: `pitstop up --json` in a copy of the fixture, the same edit as the
// baselines, and the step breakdown pitstop recorded for each update.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { UpdateRecord } from '../../src/model/update.js';
import { versionFor, writeVersion } from '../lib/edit.js';
import type { EditResult, Loop } from '../lib/loops.js';
import { PitstopSession, type StopReport } from '../lib/pitstop.js';
import { pollUntil } from '../lib/poll.js';
import { freePort } from '../lib/ports.js';
import { copyFixture, removeDir } from '../lib/tmp.js';

export interface PitstopLoopOptions {
  fixture: string;
  /** The service the edits land in, as named in the generated pitstop.yaml. */
  service: string;
  editFile: string;
  /** pitstop.yaml for the fixture copy, serving on `port`. */
  yaml(port: number): string;
  versionUrl(port: number): string;
  env: NodeJS.ProcessEnv;
  runId: string;
  log(message: string): void;
}

/** Step durations of one update, summed per step name (a service may have several build steps). */
export function stepTimes(record: UpdateRecord): Record<string, number> {
  const out: Record<string, number> = {};
  for (const span of record.spans) out[span.name] = (out[span.name] ?? 0) + span.durationMs;
  return out;
}

export function recordBytes(record: UpdateRecord): number | undefined {
  const moved = record.spans.filter((s) => s.bytes !== undefined);
  return moved.length ? moved.reduce((sum, s) => sum + s.bytes!, 0) : undefined;
}

export function pitstopLoop(o: PitstopLoopOptions): Loop {
  const name = 'pitstop';
  let dir: string | undefined;
  let port = 0;
  let session: PitstopSession | undefined;
  let stopped: StopReport | undefined;

  const describe = () => (session?.errors.lines.length ? `\npitstop errors:\n${session.errors}` : '');

  return {
    name,
    async setup() {
      dir = copyFixture(o.fixture, name);
      port = await freePort();
      writeFileSync(path.join(dir, 'pitstop.yaml'), o.yaml(port));
      session = PitstopSession.start(dir, o.env);
      await session.waitReady(120_000);
    },
    async edit(n): Promise<EditResult> {
      const s = session!;
      const since = s.events.length;
      const version = versionFor(o.runId, name, n);
      const writtenAt = writeVersion(path.join(dir!, o.editFile), version);
      let liveAt: number;
      try {
        liveAt = await pollUntil(o.versionUrl(port), version, { timeoutMs: 60_000 });
      } catch (err) {
        throw new Error(`${(err as Error).message}${describe()}`);
      }
      const records = await s.recordsSince(o.service, since, 5000);
      // Several records for one save mean the save was split into several updates: worth seeing.
      const record = [...records].reverse().find((r) => r.outcome === 'ok') ?? records.at(-1);
      const result: EditResult = { ms: liveAt - writtenAt, extra: { updates: records.length } };
      if (record) {
        result.steps = stepTimes(record);
        const bytes = recordBytes(record);
        if (bytes !== undefined) result.bytes = bytes;
        if (record.editToLiveMs !== undefined) result.extra!.self_reported_ms = record.editToLiveMs;
      }
      return result;
    },
    async teardown() {
      if (session) {
        stopped = await session.stop();
        if (!stopped.clean) o.log(`  pitstop: did not exit within 15 s of SIGTERM; killed`);
        for (const l of stopped.stragglers)
          o.log(`  pitstop: left pid ${l.pid} running (${l.command}); killed`);
      }
      session = undefined;
      if (dir) removeDir(dir);
      dir = undefined;
    },
    extra() {
      if (!stopped) return {};
      return { clean_exit: stopped.clean && stopped.stragglers.length === 0, exit_code: stopped.exitCode };
    },
  };
}
