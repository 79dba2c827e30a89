// The compile-time reference: the same edit, then the build command alone, timed from spawn to
// exit. Edit-to-live can't beat this, so "pitstop − compile" is pitstop's own overhead.
//
// Every other loop polls its service every 2 ms while it compiles, and on a 2-core machine that
// load alone slows a compile by about a tenth. So with `polled`, each edit is compiled twice (two
// distinct edits, the order alternating): once while the same poll hits a running copy of the
// service (its own, or one another loop runs in a container) — the floor the other loops are
// judged against — and once bare, reported as `bare_ms`.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { now, versionFor, writeVersion } from '../lib/edit.js';
import type { EditResult, Loop } from '../lib/loops.js';
import { pollDuring, pollUntil } from '../lib/poll.js';
import { freePort } from '../lib/ports.js';
import { copyFixture, removeDir } from '../lib/tmp.js';

export interface CompileLoopOptions {
  name: string;
  fixture: string;
  editFile: string;
  /** Run through `sh -c` in the fixture copy. */
  command: string;
  env: NodeJS.ProcessEnv;
  runId: string;
  /**
   * Compile under the loops' poll load: run the built service (`binary`, relative to the fixture)
   * and poll it, or poll a service another loop runs (`url`, the same path through Docker's port
   * publishing that the Docker loops' polls take).
   */
  polled?: { binary: string } | { url: () => string | undefined };
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.trim().slice(-500)}`)),
    );
  });
}

export function compileLoop(o: CompileLoopOptions): Loop {
  let dir: string | undefined;
  let server: ChildProcess | undefined;
  let url: string | undefined;
  const compile = async (n: number, polled: boolean): Promise<number> => {
    writeVersion(path.join(dir!, o.editFile), versionFor(o.runId, o.name, n));
    const started = now();
    const build = run(o.command, dir!, o.env);
    const target = o.polled && 'url' in o.polled ? o.polled.url() : url;
    await (polled && target ? pollDuring(target, build) : build);
    return now() - started;
  };
  return {
    name: o.name,
    async setup() {
      dir = copyFixture(o.fixture, o.name);
      // The first build fills the dependency cache, as it would be on any developer's machine.
      await run(o.command, dir, o.env);
      if (!o.polled || !('binary' in o.polled)) return;
      // A copy, so the compiles can replace the binary while this one serves.
      const binary = path.join(dir, `${o.polled.binary}.polled`);
      copyFileSync(path.join(dir, o.polled.binary), binary);
      const port = await freePort();
      server = spawn(binary, [], {
        cwd: dir,
        env: { ...o.env, PORT: String(port), HOST: '127.0.0.1' },
        stdio: 'ignore',
      });
      url = `http://127.0.0.1:${port}/healthz`;
      await pollUntil(url, 'ok', { timeoutMs: 10_000 });
    },
    async edit(n): Promise<EditResult> {
      if (!o.polled) return { ms: await compile(n, false) };
      // Edits 2n and 2n+1: both compiles build something new.
      const polledFirst = n % 2 === 0;
      const first = await compile(2 * n, polledFirst);
      const second = await compile(2 * n + 1, !polledFirst);
      return polledFirst
        ? { ms: first, extra: { bare_ms: second } }
        : { ms: second, extra: { bare_ms: first } };
    },
    async teardown() {
      server?.kill('SIGKILL');
      server = undefined;
      if (dir) removeDir(dir);
      dir = undefined;
    },
  };
}
