import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PitstopError } from '../errors.js';
import type { Command } from '../model/project.js';
import { waitUntil } from './leftovers.js';
import { describeExit, type ProcessGroup, spawnGroup } from './process-group.js';
import { groupMembers, isDead, isGroupGone, isSameProcess, type ProcStat } from './start-time.js';

const env = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
);
let dir: string;
const groups: ProcessGroup[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitstop-pg-'));
});

afterEach(async () => {
  await Promise.all(groups.splice(0).map((g) => g.stop('SIGKILL', 0)));
  rmSync(dir, { recursive: true, force: true });
});

async function start(cmd: Command, lines: [string, string][] = []): Promise<ProcessGroup> {
  const group = await spawnGroup(cmd, { cwd: dir, env, onLine: (s, l) => lines.push([s, l]) });
  groups.push(group);
  return group;
}

function liveMembers(pgid: number): ProcStat[] {
  return groupMembers(pgid).filter((m) => !isDead(m));
}

async function spawnError(cmd: Command, cwd = dir): Promise<PitstopError> {
  const err = await spawnGroup(cmd, { cwd, env, onLine: () => {} }).then(
    (g) => {
      groups.push(g);
      throw new Error('expected the spawn to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PitstopError);
  return err as PitstopError;
}

describe('spawnGroup', () => {
  it('passes on lines from both streams, including an unterminated last line', async () => {
    const lines: [string, string][] = [];
    const group = await start({ shell: 'echo out; echo err >&2; printf partial' }, lines);
    expect(await group.exited).toEqual({ code: 0, signal: null });
    expect(lines).toContainEqual(['stdout', 'out']);
    expect(lines).toContainEqual(['stderr', 'err']);
    expect(lines).toContainEqual(['stdout', 'partial']);
  });

  it('runs argv commands directly, in their own process group', async () => {
    const lines: [string, string][] = [];
    const group = await start({ argv: ['node', '-e', 'console.log(process.pid)'] }, lines);
    await group.exited;
    expect(lines).toEqual([['stdout', String(group.pid)]]);
    expect(group.startTime).toBeTypeOf('number');
  });

  it.runIf(process.platform === 'linux')('stop leaves nothing of a group with children', async () => {
    const group = await start({ shell: 'sleep 300 & sleep 300 & wait' });
    expect(await waitUntil(() => liveMembers(group.pid).length === 3, 5_000)).toBe(true);
    const members = liveMembers(group.pid);
    const info = await group.stop('SIGTERM', 5_000);
    expect(info.signal).toBe('SIGTERM');
    for (const m of members) expect(isSameProcess(m.pid, m.startTime)).toBe(false);
    expect(isGroupGone(group.pid)).toBe(true);
  });

  it('kills a process that ignores the stop signal once the timeout passes', async () => {
    const lines: [string, string][] = [];
    const group = await start({ argv: ['sh', '-c', 'trap "" TERM; echo ready; sleep 300; :'] }, lines);
    // Only once the trap is set does the test mean anything.
    expect(await waitUntil(() => lines.length > 0, 5_000)).toBe(true);
    const begun = performance.now();
    const info = await group.stop('SIGTERM', 300);
    expect(performance.now() - begun).toBeGreaterThanOrEqual(290);
    expect(info.signal).toBe('SIGKILL');
    expect(isGroupGone(group.pid)).toBe(true);
  });

  it('kills a node process ignoring SIGTERM', async () => {
    const lines: [string, string][] = [];
    const script = "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);";
    const group = await start({ argv: [process.execPath, '-e', script] }, lines);
    expect(await waitUntil(() => lines.length > 0, 5_000)).toBe(true);
    const info = await group.stop('SIGTERM', 200);
    expect(info.signal).toBe('SIGKILL');
  });

  it('settles even when a background child keeps the output open, and stop() cleans up', async () => {
    const group = await start({ shell: 'sleep 300 & echo started' });
    expect(await group.exited).toEqual({ code: 0, signal: null });
    expect(isGroupGone(group.pid)).toBe(false);
    await group.stop('SIGTERM', 2_000);
    expect(isGroupGone(group.pid)).toBe(true);
  });

  it('stop() on a finished process resolves at once with its exit', async () => {
    const group = await start({ shell: 'exit 4' });
    await group.exited;
    expect(await group.stop('SIGTERM', 10_000)).toEqual({ code: 4, signal: null });
  });

  it('explains a program that is not on PATH', async () => {
    const err = await spawnError({ argv: ['pitstop-no-such-program', '--flag'] });
    expect(err.message).toBe('command not found: pitstop-no-such-program');
    expect(err.hint).toContain('PATH');
  });

  it('explains a relative path that does not exist', async () => {
    const err = await spawnError({ argv: ['./bin/api'] });
    expect(err.message).toBe('command not found: ./bin/api');
    expect(err.hint).toContain(join(dir, 'bin/api'));
    expect(err.hint).toContain('build step');
  });

  it('explains a file that is not executable', async () => {
    writeFileSync(join(dir, 'script.sh'), '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const err = await spawnError({ argv: ['./script.sh'] });
    expect(err.message).toBe('not executable: ./script.sh');
    expect(err.hint).toBe(`make it executable: chmod +x ${join(dir, 'script.sh')}`);
  });

  it('explains a script whose interpreter is missing', async () => {
    const file = join(dir, 'tool');
    writeFileSync(file, '#!/nonexistent/interp\n', { mode: 0o755 });
    chmodSync(file, 0o755);
    const err = await spawnError({ argv: [file] });
    expect(err.message).toBe(`cannot run ${file}: its interpreter \`/nonexistent/interp\` was not found`);
  });

  it('explains a missing working directory (not as a missing command)', async () => {
    const missing = join(dir, 'nope');
    const err = await spawnError({ argv: ['node', '--version'] }, missing);
    expect(err.message).toBe(`working directory does not exist: ${missing}`);
    expect(err.hint).toBeTruthy();
  });

  it('a simple shell command whose program does not exist fails before spawning, like the list form', async () => {
    const err = await spawnError({ shell: 'pitstop-no-such-program --flag' });
    expect(err.message).toBe('command not found: pitstop-no-such-program');
    const viaExec = await spawnError({ shell: 'exec ./bin/missing' });
    expect(viaExec.message).toBe('command not found: ./bin/missing');
  });

  it('a shell command with shell syntax that does not exist exits 127, described as command not found', async () => {
    const lines: [string, string][] = [];
    const group = await start({ shell: 'FOO=1 pitstop-no-such-program --flag' }, lines);
    const info = await group.exited;
    expect(info).toEqual({ code: 127, signal: null });
    expect(lines.some(([s, l]) => s === 'stderr' && l.includes('not found'))).toBe(true);
    const tail = lines.map(([, l]) => l);
    expect(describeExit(info, tail)).toBe('exited with code 127: command not found (see the output above)');
  });
});

describe('describeExit', () => {
  it('words signals, plain codes and shell conventions', () => {
    expect(describeExit({ code: null, signal: 'SIGSEGV' })).toBe('killed by SIGSEGV');
    expect(describeExit({ code: 1, signal: null }, ['boom'])).toBe('exited with code 1');
    expect(describeExit({ code: 127, signal: null })).toBe('exited with code 127: command not found');
    expect(describeExit({ code: 126, signal: null }, ['x'])).toBe(
      'exited with code 126: command not executable (see the output above)',
    );
    expect(describeExit({ code: 137, signal: null })).toBe(
      'exited with code 137 (the command was killed by SIGKILL)',
    );
  });
});
