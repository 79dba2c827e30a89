// `<stateDir>/session.json` says which pitstop process owns this project right now and where
// its control socket is, so `down`, `status` and `trigger` from another terminal can find it.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSameProcess, processStartTime } from '../proc/start-time.js';

export interface SessionInfo {
  pid: number;
  startTime: number | undefined;
  socket: string;
  startedAt: number;
  project: string;
  services: string[];
}

const FILE = 'session.json';

/** Unix socket paths are limited to ~107 bytes; deep project folders get a short one in the temp dir. */
export function socketPath(stateDir: string): string {
  const local = path.join(stateDir, 'control.sock');
  if (Buffer.byteLength(local) < 100) return local;
  const id = createHash('sha1').update(stateDir).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `pitstop-${id}.sock`);
}

export function writeSession(stateDir: string, info: Omit<SessionInfo, 'pid' | 'startTime'>): SessionInfo {
  const full: SessionInfo = { pid: process.pid, startTime: processStartTime(process.pid), ...info };
  fs.mkdirSync(stateDir, { recursive: true });
  const tmp = path.join(stateDir, `${FILE}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(full, null, 1));
  fs.renameSync(tmp, path.join(stateDir, FILE));
  return full;
}

/** The live session of this project, or undefined (a stale file from a dead process is ignored). */
export function readLiveSession(stateDir: string): SessionInfo | undefined {
  let info: SessionInfo;
  try {
    info = JSON.parse(fs.readFileSync(path.join(stateDir, FILE), 'utf8')) as SessionInfo;
  } catch {
    return undefined;
  }
  if (typeof info.pid !== 'number') return undefined;
  const alive = info.startTime === undefined ? isPidAlive(info.pid) : isSameProcess(info.pid, info.startTime);
  return alive ? info : undefined;
}

export function removeSession(stateDir: string): void {
  const file = path.join(stateDir, FILE);
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as SessionInfo;
    if (info.pid === process.pid) fs.rmSync(file, { force: true });
  } catch {
    // Nothing to remove.
  }
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
