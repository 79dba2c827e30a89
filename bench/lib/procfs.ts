// CPU and memory of a running process, read from /proc the way `top` does: CPU is the growth
// of utime+stime (in clock ticks) over wall time, memory is VmRSS now and VmHWM (the peak).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { now } from './edit.js';
import { median } from './stats.js';

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`: the unit of utime/stime; 100 on nearly every Linux. */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface Stat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) ... utime(14) stime(15), so index = field number - 3.
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

export function cpuTicks(pid: number): number | undefined {
  return readStat(pid)?.ticks;
}

/** VmRSS and VmHWM in kB; undefined once the process is gone. */
export function memoryKb(pid: number): { rss: number; hwm: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** `pid` and every process below it, found through parent links at this instant. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const p = Number(entry);
    if (!Number.isInteger(p)) continue;
    const stat = readStat(p);
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(p);
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

export interface UsageSample {
  seconds: number;
  /** Share of one core over the whole window. */
  cpu_pct: number;
  /** The busiest single interval. */
  cpu_pct_max_interval: number;
  rss_mb: number;
  rss_mb_max: number;
  /** VmHWM at the end: the peak since the process started, including its startup. */
  peak_rss_mb: number;
  /** The same figures for the process and all its descendants (a helper process would show here). */
  tree_cpu_pct: number;
  tree_rss_mb: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Samples `pid` every `intervalMs` for `durationMs`; throws if it exits meanwhile. */
export async function sampleUsage(pid: number, durationMs: number, intervalMs = 1000): Promise<UsageSample> {
  const hz = clockTicks();
  const gone = () => new Error(`process ${pid} exited while being sampled`);
  const treeTicks = () => new Map(processTree(pid).map((p) => [p, cpuTicks(p) ?? 0]));
  const start = now();
  const startTicks = cpuTicks(pid);
  if (startTicks === undefined) throw gone();
  let lastTicks = startTicks;
  let lastAt = start;
  let lastTree = treeTicks();
  let treeDelta = 0;
  let maxInterval = 0;
  const rss: number[] = [];
  const treeRss: number[] = [];
  while (now() - start < durationMs) {
    await sleep(Math.min(intervalMs, durationMs - (now() - start)));
    const at = now();
    const ticks = cpuTicks(pid);
    const mem = memoryKb(pid);
    if (ticks === undefined || !mem) throw gone();
    maxInterval = Math.max(maxInterval, ((ticks - lastTicks) / hz / ((at - lastAt) / 1000)) * 100);
    rss.push(mem.rss / 1024);
    // Only processes alive at both ends of an interval count: a new one is charged from its first sample.
    const tree = treeTicks();
    let memKb = 0;
    for (const [p, t] of tree) {
      const before = lastTree.get(p);
      if (before !== undefined) treeDelta += t - before;
      memKb += memoryKb(p)?.rss ?? 0;
    }
    treeRss.push(memKb / 1024);
    lastTree = tree;
    lastTicks = ticks;
    lastAt = at;
  }
  const seconds = (lastAt - start) / 1000;
  const mem = memoryKb(pid);
  if (!mem) throw gone();
  const round2 = (v: number) => Math.round(v * 100) / 100;
  return {
    seconds: round2(seconds),
    cpu_pct: round2(((lastTicks - startTicks) / hz / seconds) * 100),
    cpu_pct_max_interval: round2(maxInterval),
    rss_mb: round2(median(rss)),
    rss_mb_max: round2(Math.max(...rss)),
    peak_rss_mb: round2(mem.hwm / 1024),
    tree_cpu_pct: round2((treeDelta / hz / seconds) * 100),
    tree_rss_mb: round2(median(treeRss)),
  };
}
