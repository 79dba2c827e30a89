// Drives `pitstop up --json` as a user's terminal would: start it in a project folder, read its
// event stream, stop it with SIGTERM and check that it exited and left nothing behind.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { PitstopEvent } from '../../src/events.js';
import type { UpdateRecord } from '../../src/model/update.js';
import { isRunning, reapStragglers, type Straggler, spawnGroup, Tail, waitExit } from './procs.js';
import { pitstopBin, repoRoot } from './tmp.js';

export interface StopReport {
  /** Exited by itself within the grace period after SIGTERM. */
  clean: boolean;
  exitCode: number | null;
  stragglers: Straggler[];
}

/** Fails fast, before a scenario spends time preparing, when there is no CLI to run. */
export function assertPitstopBuilt(): void {
  if (!process.env.PITSTOP_BIN && !existsSync(path.join(repoRoot, 'dist', 'cli', 'index.js'))) {
    throw new Error('dist/cli/index.js is missing: run `npm run build` first (npm run bench does)');
  }
}

export class PitstopSession {
  readonly events: PitstopEvent[] = [];
  readonly records: UpdateRecord[] = [];
  readonly stderr = new Tail();
  readonly errors = new Tail(10);
  readonly #waiters = new Set<() => void>();
  #closed = false;

  private constructor(
    readonly dir: string,
    readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.#onLine(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.stderr.push(line));
    // 'close' comes after the last line of output, so no event is judged missing too early.
    child.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    child.on('error', (err) => this.stderr.push(`cannot run pitstop: ${err.message}`));
  }

  /** Starts `node bin/pitstop.js up --json` (or other `args`) in `dir` (which holds pitstop.yaml). */
  static start(dir: string, env: NodeJS.ProcessEnv = process.env, args = ['up', '--json']): PitstopSession {
    assertPitstopBuilt();
    const child = spawnGroup(process.execPath, [pitstopBin, ...args], {
      cwd: dir,
      env: { ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new PitstopSession(dir, child);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('pitstop did not start');
    return this.child.pid;
  }

  #onLine(line: string): void {
    let event: PitstopEvent;
    try {
      event = JSON.parse(line) as PitstopEvent;
    } catch {
      // --json promises one event per line; anything else is kept for the error message.
      this.stderr.push(`(stdout) ${line}`);
      return;
    }
    this.events.push(event);
    if (event.type === 'update-finished') this.records.push(event.record);
    if (event.type === 'error') this.errors.push(`${event.service ?? ''} ${event.message}`.trim());
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  #describe(): string {
    const parts = [];
    if (this.errors.lines.length) parts.push(`pitstop errors:\n${this.errors}`);
    if (this.stderr.lines.length) parts.push(`pitstop stderr:\n${this.stderr}`);
    return parts.length ? `\n${parts.join('\n')}` : '';
  }

  /** The first event from index `since` on that satisfies `match`. */
  waitFor<T extends PitstopEvent>(
    match: (e: PitstopEvent) => e is T,
    timeoutMs: number,
    since = 0,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = since; i < this.events.length; i++) {
          const e = this.events[i]!;
          if (match(e)) return finish(() => resolve(e));
        }
        if (this.#closed) {
          const how = this.child.exitCode ?? this.child.signalCode;
          return finish(() =>
            reject(new Error(`pitstop exited (${how}) before the awaited event${this.#describe()}`)),
          );
        }
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`pitstop: awaited event not seen in ${timeoutMs} ms${this.#describe()}`)),
          ),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }

  waitReady(timeoutMs: number): Promise<Extract<PitstopEvent, { type: 'all-ready' }>> {
    return this.waitFor(
      (e): e is Extract<PitstopEvent, { type: 'all-ready' }> => e.type === 'all-ready',
      timeoutMs,
    );
  }

  /**
   * The records of updates of `service` (live updates, unless `kinds` says otherwise) finished
   * after event index `since`, waiting up to `timeoutMs` for the first: the record may trail
   * the new version answering by a moment.
   */
  async recordsSince(
    service: string,
    since: number,
    timeoutMs: number,
    kinds: readonly UpdateRecord['kind'][] = ['live'],
  ): Promise<UpdateRecord[]> {
    // Only updates of these kinds: the first start's record may trail `all-ready` and land
    // after an edit's starting index.
    const isMine = (e: PitstopEvent): e is Extract<PitstopEvent, { type: 'update-finished' }> =>
      e.type === 'update-finished' && e.record.service === service && kinds.includes(e.record.kind);
    try {
      await this.waitFor(isMine, timeoutMs, since);
    } catch {
      return [];
    }
    return this.events
      .slice(since)
      .filter(isMine)
      .map((e) => e.record);
  }

  /** SIGTERM, as Ctrl-C would; SIGKILL to its group only if it does not exit within `graceMs`. */
  async stop(graceMs = 15_000): Promise<StopReport> {
    if (isRunning(this.child)) this.child.kill('SIGTERM');
    const clean = await waitExit(this.child, graceMs);
    if (!clean) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
      await waitExit(this.child, 2000);
    }
    return { clean, exitCode: this.child.exitCode, stragglers: reapStragglers(this.dir) };
  }
}
