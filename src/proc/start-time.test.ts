import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from './leftovers.js';
import { isAlive, isSameProcess, processStartTime, readProcStat } from './start-time.js';

const linux = process.platform === 'linux';
const cleanup: (() => void)[] = [];

afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

describe.runIf(linux)('start times', () => {
  it('reads the start time of a running process', () => {
    const start = processStartTime(process.pid);
    expect(start).toBeTypeOf('number');
    expect(isSameProcess(process.pid, start)).toBe(true);
    expect(isSameProcess(process.pid, (start ?? 0) + 1)).toBe(false);
    expect(isAlive(process.pid)).toBe(true);
  });

  it('parses after the last ")" when the command name contains spaces and parentheses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-comm-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const odd = join(dir, 'a) b (c');
    copyFileSync('/bin/sleep', odd);
    chmodSync(odd, 0o755);
    const child = spawn(odd, ['300'], { detached: true, stdio: 'ignore' });
    const pid = child.pid!;
    cleanup.push(() => child.kill('SIGKILL'));
    // Until exec, the child still carries node's name; wait for the odd one.
    const comm = () => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        return '';
      }
    };
    expect(await waitUntil(() => comm() === 'a) b (c', 5_000)).toBe(true);
    const stat = readProcStat(pid)!;
    expect(stat.pgrp).toBe(pid);
    expect(stat.session).toBe(pid);
    expect(stat.state).toMatch(/^[RSD]$/);
    expect(isSameProcess(pid, stat.startTime)).toBe(true);
  });

  it('reports exited processes as gone', async () => {
    const child = spawn('true');
    const pid = child.pid!;
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await waitUntil(() => !isAlive(pid), 5_000)).toBe(true);
    expect(processStartTime(pid)).toBeUndefined();
    expect(isSameProcess(pid, null)).toBe(false);
  });
});
