// pitstop's own loop: `pitstop up --json` in a copy of the fixture, the same edit as the
// baselines, and the step breakdown pitstop recorded for each update.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { UpdateRecord } from '../../src/model/update.js';
import { dockerLeftovers, PITSTOP_PROJECT_LABEL, sweepLabel } from '../lib/docker.js';
import { versionFor, writeVersion } from '../lib/edit.js';
import type { EditResult, Loop } from '../lib/loops.js';
import { PitstopSession, type StopReport } from '../lib/pitstop.js';
import { pollUntil } from '../lib/poll.js';
import { freePort } from '../lib/ports.js';
import { copyFixture, removeDir } from '../lib/tmp.js';

export interface PitstopLoopOptions {
  /** The loop's name in the report; "pitstop" unless a scenario runs two pitstop loops. */
  name?: string;
  fixture: string;
  /** The service the edits land in, as named in the generated pitstop.yaml. */
  service: string;
  editFile: string;
  /** The project file for the fixture copy, serving on `port`. */
  yaml(port: number): string;
  /** Its name: pitstop.yaml unless the loop runs a Compose file. */
  file?: string;
  versionUrl(port: number): string;
  env: NodeJS.ProcessEnv;
  runId: string;
  log(message: string): void;
  /**
   * The project's name in pitstop.yaml when it runs on Docker: after pitstop stops, anything
   * still carrying its label is reported (containers, networks: pitstop should have removed
   * them) and removed, and so are the images it built.
   */
  dockerProject?: string;
  /** Picks the port the service publishes; a free loopback port unless set (a remote host's own). */
  port?: () => Promise<number>;
  /** Unmeasured edits this loop needs whatever the scenario's warm-up (see Loop.warmup). */
  warmup?: number;
  /** Facts read from the project folder after pitstop stopped, before it is removed. */
  facts?(dir: string): Record<string, unknown>;
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

/**
 * What the payload diet chose for the largest file of a sync span, read from its detail
 * ("1 file, delta 60.1 KB of 8.0 MB, 99% saved (why)" or "1 file, 8.0 MB raw (why)").
 */
export function syncChoice(detail: string | undefined): 'raw' | 'gzip' | 'delta' | undefined {
  const m = /\bfiles?, (?:[\d.]+ [KM]?B (raw)\b|(gzip|delta) )/.exec(detail ?? '');
  return (m?.[1] ?? m?.[2]) as 'raw' | 'gzip' | 'delta' | undefined;
}

export function pitstopLoop(o: PitstopLoopOptions): Loop {
  const name = o.name ?? 'pitstop';
  let dir: string | undefined;
  let port = 0;
  let session: PitstopSession | undefined;
  let stopped: StopReport | undefined;
  let dockerLeft: string[] = [];
  let facts: Record<string, unknown> = {};
  // The payload diet's choice per edit, warm-ups included (the first sync after a start sends the whole file).
  const choices: Record<string, number> = {};
  let lastSyncDetail: string | undefined;
  // The first edit after the start (a warm-up where there is one): its sync has no earlier
  // version of its own to send a delta against, and is reported apart.
  let firstEdit: Record<string, unknown> | undefined;

  const describe = () => (session?.errors.lines.length ? `\npitstop errors:\n${session.errors}` : '');

  return {
    name,
    warmup: o.warmup,
    async setup() {
      dir = copyFixture(o.fixture, name.replace(/[^a-z0-9]+/gi, '-'));
      port = await (o.port ?? freePort)();
      writeFileSync(path.join(dir, o.file ?? 'pitstop.yaml'), o.yaml(port));
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
        // What pitstop adds around its own compile, free of the compiler's run-to-run noise.
        if (result.steps.build !== undefined) result.extra!.beyond_build_ms = result.ms - result.steps.build;
        const bytes = recordBytes(record);
        if (bytes !== undefined) result.bytes = bytes;
        const sync = record.spans.find((span) => span.name === 'sync');
        if (sync?.bytesSaved !== undefined) result.extra!.bytes_saved = sync.bytesSaved;
        const choice = syncChoice(sync?.detail);
        if (choice) {
          choices[choice] = (choices[choice] ?? 0) + 1;
          lastSyncDetail = sync?.detail;
        }
        if (n === 0 && sync) {
          firstEdit = { ms: Math.round(result.ms), sync_ms: sync.durationMs, bytes, detail: sync.detail };
        }
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
      if (dir && o.facts) facts = o.facts(dir);
      if (o.dockerProject) {
        const left = await dockerLeftovers(o.dockerProject, o.env);
        if (left.length) o.log(`  ${name}: left ${left.join(', ')} on the daemon after it stopped; removed`);
        if (stopped) dockerLeft = left;
        await sweepLabel(`${PITSTOP_PROJECT_LABEL}=${o.dockerProject}`, o.env).catch((err: Error) =>
          o.log(`  ${name}: docker sweep failed: ${err.message}`),
        );
      }
      if (dir) removeDir(dir);
      dir = undefined;
    },
    extra() {
      const out: Record<string, unknown> = { ...facts };
      if (Object.keys(choices).length) {
        out.sync_choices = { ...choices };
        out.sync_detail = lastSyncDetail;
      }
      if (firstEdit) out.first_edit = firstEdit;
      if (!stopped) return out;
      const clean = stopped.clean && stopped.stragglers.length === 0 && dockerLeft.length === 0;
      Object.assign(out, { clean_exit: clean, exit_code: stopped.exitCode });
      if (dockerLeft.length) out.docker_leftovers = dockerLeft;
      return out;
    },
  };
}
