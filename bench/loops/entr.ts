// The loop people run today without a dev tool: entr watching the source, rebuilding and
// restarting the service on every save. `-r` restarts a long-running child; `-n` because the
// bench has no TTY. The command is the one a developer types, not a trimmed-down version.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { versionFor, writeVersion } from '../lib/edit.js';
import type { EditResult, Loop } from '../lib/loops.js';
import { pollUntil } from '../lib/poll.js';
import { freePort } from '../lib/ports.js';
import { reapStragglers, spawnGroup, stopGroup, Tail, waitExit } from '../lib/procs.js';
import { copyFixture, removeDir } from '../lib/tmp.js';

export interface EntrLoopOptions {
  name?: string;
  fixture: string;
  /** Files entr watches, relative to the fixture copy (entr reads them from stdin). */
  watch: string[];
  /** What entr runs on each change; PORT is set in its environment. */
  command: string;
  /** The file whose version string each edit rewrites. */
  editFile: string;
  healthUrl(port: number): string;
  versionUrl(port: number): string;
  env: NodeJS.ProcessEnv;
  runId: string;
  log(message: string): void;
}

export function entrLoop(o: EntrLoopOptions): Loop {
  const name = o.name ?? 'entr';
  let dir: string | undefined;
  let port = 0;
  let child: ChildProcess | undefined;
  const output = new Tail(20);

  return {
    name,
    async setup() {
      dir = copyFixture(o.fixture, name);
      port = await freePort();
      // Same as `ls main.go | entr -rn sh -c '...'`: entr reads the files to watch from stdin.
      child = spawnGroup('entr', ['-rn', 'sh', '-c', o.command], {
        cwd: dir,
        env: { ...o.env, PORT: String(port) },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdin!.end(`${o.watch.join('\n')}\n`);
      child.stdout!.on('data', (b: Buffer) => output.push(b.toString().trimEnd()));
      child.stderr!.on('data', (b: Buffer) => output.push(b.toString().trimEnd()));
      const spawnFailed = new Promise<never>((_, reject) =>
        child!.once('error', (err) =>
          reject(new Error(`cannot run entr (apt-get install entr): ${err.message}`)),
        ),
      );
      try {
        await Promise.race([pollUntil(o.healthUrl(port), 'ok', { timeoutMs: 120_000 }), spawnFailed]);
      } catch (err) {
        throw new Error(`${(err as Error).message}\nentr output:\n${output}`);
      }
    },
    async edit(n): Promise<EditResult> {
      const version = versionFor(o.runId, name, n);
      const writtenAt = writeVersion(path.join(dir!, o.editFile), version);
      try {
        const liveAt = await pollUntil(o.versionUrl(port), version, { timeoutMs: 60_000 });
        return { ms: liveAt - writtenAt };
      } catch (err) {
        throw new Error(`${(err as Error).message}\nentr output:\n${output}`);
      }
    },
    async teardown() {
      if (child) {
        // entr passes SIGTERM on to the service and waits for it; the group kill is the backstop.
        child.kill('SIGTERM');
        await waitExit(child, 5000);
        await stopGroup(child);
      }
      child = undefined;
      if (dir) {
        const left = reapStragglers(dir);
        for (const s of left) o.log(`  ${name}: killed leftover pid ${s.pid} (${s.command})`);
        removeDir(dir);
      }
      dir = undefined;
    },
  };
}
