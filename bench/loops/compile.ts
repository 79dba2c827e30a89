// The compile-time reference: the same edit, then the build command alone, timed from spawn to
// exit. Edit-to-live can't beat this, so "pitstop − compile" is pitstop's own overhead.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { now, versionFor, writeVersion } from '../lib/edit.js';
import type { EditResult, Loop } from '../lib/loops.js';
import { copyFixture, removeDir } from '../lib/tmp.js';

export interface CompileLoopOptions {
  name: string;
  fixture: string;
  editFile: string;
  /** Run through `sh -c` in the fixture copy. */
  command: string;
  env: NodeJS.ProcessEnv;
  runId: string;
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
  return {
    name: o.name,
    async setup() {
      dir = copyFixture(o.fixture, o.name);
      // The first build fills the dependency cache, as it would be on any developer's machine.
      await run(o.command, dir, o.env);
    },
    async edit(n): Promise<EditResult> {
      writeVersion(path.join(dir!, o.editFile), versionFor(o.runId, o.name, n));
      const started = now();
      await run(o.command, dir!, o.env);
      return { ms: now() - started };
    },
    async teardown() {
      if (dir) removeDir(dir);
      dir = undefined;
    },
  };
}
