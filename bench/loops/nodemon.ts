// The loop Node developers run locally: nodemon watching the sources and restarting
// `node server.js` on change. Its defaults throughout (chokidar on native file events, no
// `--delay`, SIGUSR2 to stop the old process), except `--watch src`, the folder the edits land
// in. Polling (`-L`) is not used: it is the fallback for file systems without events, not what
// people run.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { versionFor, writeVersion } from '../lib/edit.js';
import type { EditResult, Loop } from '../lib/loops.js';
import { pollUntil } from '../lib/poll.js';
import { freePort } from '../lib/ports.js';
import { reapStragglers, spawnGroup, stopGroup, Tail, waitExit } from '../lib/procs.js';
import { copyFixture, removeDir, repoRoot } from '../lib/tmp.js';

export interface NodemonLoopOptions {
  fixture: string;
  /** nodemon's arguments after the binary, e.g. `--watch src server.js`. */
  args: string[];
  editFile: string;
  healthUrl(port: number): string;
  versionUrl(port: number): string;
  env: NodeJS.ProcessEnv;
  runId: string;
  log(message: string): void;
}

const NODEMON = path.join(repoRoot, 'node_modules', 'nodemon', 'bin', 'nodemon.js');

export function nodemonLoop(o: NodemonLoopOptions): Loop {
  const name = 'nodemon';
  let dir: string | undefined;
  let port = 0;
  let child: ChildProcess | undefined;
  const output = new Tail(20);

  return {
    name,
    async setup() {
      if (!existsSync(NODEMON))
        throw new Error('nodemon is not installed: npm install (it is a dev dependency)');
      dir = copyFixture(o.fixture, name);
      port = await freePort();
      // No TTY and no stdin to read `rs` from, as under any script; nothing else changed.
      child = spawnGroup(process.execPath, [NODEMON, ...o.args], {
        cwd: dir,
        env: { ...o.env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (b: Buffer) => output.push(b.toString().trimEnd()));
      child.stderr!.on('data', (b: Buffer) => output.push(b.toString().trimEnd()));
      try {
        await pollUntil(o.healthUrl(port), 'ok', { timeoutMs: 30_000 });
      } catch (err) {
        throw new Error(`${(err as Error).message}\nnodemon output:\n${output}`);
      }
    },
    async edit(n): Promise<EditResult> {
      const version = versionFor(o.runId, name, n);
      const writtenAt = writeVersion(path.join(dir!, o.editFile), version);
      try {
        const liveAt = await pollUntil(o.versionUrl(port), version, { timeoutMs: 30_000 });
        return { ms: liveAt - writtenAt };
      } catch (err) {
        throw new Error(`${(err as Error).message}\nnodemon output:\n${output}`);
      }
    },
    async teardown() {
      if (child) {
        child.kill('SIGTERM');
        await waitExit(child, 5000);
        await stopGroup(child);
      }
      child = undefined;
      if (dir) {
        for (const s of reapStragglers(dir)) o.log(`  ${name}: killed leftover pid ${s.pid} (${s.command})`);
        removeDir(dir);
      }
      dir = undefined;
    },
  };
}
