// Killing what an earlier session left behind. These processes are not our children, so all we
// have is the state file; every signal is preceded by a start-time check, so a PID that was reused
// by an unrelated program is never touched.
import type { ProcessEntry } from './registry.js';
import { groupMembers, isAlive, isDead, isGroupGone, isSameProcess, type ProcStat } from './start-time.js';

/** How long a leftover gets to exit after SIGTERM before SIGKILL. */
export const LEFTOVER_GRACE_MS = 2_000;
const AFTER_KILL_MS = 2_000;

/** Kills the leftover process (group) of an entry; returns what was done, or undefined if nothing. */
export async function killLeftover(entry: ProcessEntry): Promise<string | undefined> {
  const label = describeEntry(entry);
  if (entry.startTime === null) {
    // Recorded where start times are unknown: we cannot prove it is still ours, so leave it.
    return isAlive(entry.pid)
      ? `left pid ${entry.pid} running: cannot verify it is still ${label} from an earlier session`
      : undefined;
  }
  if (isSameProcess(entry.pid, entry.startTime)) {
    await killGroup(entry.pid);
    return `killed ${label} (pid ${entry.pid}, left by an earlier session)`;
  }
  // A live process with this PID but another start time is someone else; so may be its group.
  if (isAlive(entry.pid)) return undefined;
  // The leader is gone but children in its group can outlive it. While any of them lives, the
  // kernel does not hand out the group's id again, so members of that group that started no
  // earlier than the leader, in the session the leader created, are what it left.
  const startTime = entry.startTime;
  const orphans = groupMembers(entry.pid).filter(
    (m) => !isDead(m) && m.session === entry.pid && m.startTime >= startTime,
  );
  if (orphans.length === 0) return undefined;
  await killEach(orphans);
  const what = orphans.length === 1 ? 'process' : 'processes';
  return `killed ${orphans.length} leftover ${what} of ${label} (group ${entry.pid}, left by an earlier session)`;
}

export function describeEntry(entry: ProcessEntry): string {
  if (entry.role === 'service' && entry.service) return entry.service;
  const owner = entry.service ? `${entry.service} ` : '';
  return `${owner}${entry.role === 'service' ? '' : `${entry.role} `}\`${entry.cmd}\``;
}

async function killGroup(pgid: number): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  if (await waitUntil(() => isGroupGone(pgid), LEFTOVER_GRACE_MS)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitUntil(() => isGroupGone(pgid), AFTER_KILL_MS);
}

async function killEach(targets: ProcStat[]): Promise<void> {
  const send = (sig: NodeJS.Signals) => {
    for (const t of targets) {
      if (!isSameProcess(t.pid, t.startTime)) continue;
      try {
        process.kill(t.pid, sig);
      } catch {
        // Exited meanwhile, or not ours to signal.
      }
    }
  };
  const allGone = () => targets.every((t) => !isSameProcess(t.pid, t.startTime));
  send('SIGTERM');
  if (await waitUntil(allGone, LEFTOVER_GRACE_MS)) return;
  send('SIGKILL');
  await waitUntil(allGone, AFTER_KILL_MS);
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // Gone already, or not ours to signal.
  }
}

/** Polls `done` (quickly at first, then every 50 ms) until it holds or `timeoutMs` passes. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let delay = 1;
  while (!done()) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    delay = Math.min(delay * 2, 50);
  }
  return true;
}
