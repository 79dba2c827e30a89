// Process identity on Linux: a PID alone is not an identity (PIDs are reused), a PID plus its
// start time is. Everything here reads /proc and quietly answers "unknown" elsewhere.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Whether this system exposes Linux-style /proc (checked once). */
export const hasProcFs: boolean = existsSync('/proc/self/stat');

export interface ProcStat {
  pid: number;
  /** One-letter state: R, S, D, Z (zombie), X (dead), T, ... */
  state: string;
  pgrp: number;
  session: number;
  /** Clock ticks after boot (field 22). */
  startTime: number;
}

/** Parses /proc/<pid>/stat; undefined when the process is gone or /proc is not available. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // comm (field 2) is in parentheses and may itself contain spaces and ')': split after the LAST ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const rest = text.slice(close + 2).split(' ');
  const state = rest[0];
  const pgrp = Number(rest[2]);
  const session = Number(rest[3]);
  const startTime = Number(rest[19]);
  if (!state || !Number.isFinite(pgrp) || !Number.isFinite(session) || !Number.isFinite(startTime)) {
    return undefined;
  }
  return { pid, state, pgrp, session, startTime };
}

/** Start time of a process in clock ticks after boot (field 22 of /proc/<pid>/stat). */
export function processStartTime(pid: number): number | undefined {
  return readProcStat(pid)?.startTime;
}

/**
 * True only when `pid` is running and is the very process that had `startTime`. Where start
 * times cannot be read (no /proc) this is false: an unverifiable process is never "ours".
 */
export function isSameProcess(pid: number, startTime: number | null | undefined): boolean {
  if (startTime === null || startTime === undefined) return false;
  const stat = readProcStat(pid);
  return stat !== undefined && !isDead(stat) && stat.startTime === startTime;
}

/** Whether a process with this PID exists and has not exited (zombies count as exited). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = readProcStat(pid);
  return stat === undefined || !isDead(stat);
}

export function isDead(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X';
}

/** Every process whose process group is `pgid` (Linux only; empty elsewhere). */
export function groupMembers(pgid: number): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const members: ProcStat[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = readProcStat(pid);
    if (stat && stat.pgrp === pgid) members.push(stat);
  }
  return members;
}

/**
 * True when no live process is left in the group. kill(-pgid, 0) alone is not enough: where
 * PID 1 does not reap orphans (many containers), exited members linger as zombies forever and
 * still count as group members, so a group holding only zombies is also gone.
 */
export function isGroupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (!hasProcFs) return false;
  return groupMembers(pgid).every(isDead);
}
