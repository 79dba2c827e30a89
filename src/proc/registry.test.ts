import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PitstopError } from '../errors.js';
import type { Command } from '../model/project.js';
import { waitUntil } from './leftovers.js';
import { type ProcessGroup, spawnGroup } from './process-group.js';
import { type ProcessEntry, type ProcessOwner, ProcessRegistry } from './registry.js';
import { groupMembers, isDead, isSameProcess } from './start-time.js';

const linux = process.platform === 'linux';
const env = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
);
let dir: string;
const groups: ProcessGroup[] = [];
const strays: { pid: number; startTime: number }[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitstop-reg-'));
});

afterEach(async () => {
  for (const s of strays.splice(0)) if (isSameProcess(s.pid, s.startTime)) process.kill(s.pid, 'SIGKILL');
  await Promise.all(groups.splice(0).map((g) => g.stop('SIGKILL', 0)));
  rmSync(dir, { recursive: true, force: true });
});

async function start(cmd: Command): Promise<ProcessGroup> {
  const group = await spawnGroup(cmd, { cwd: dir, env, onLine: () => {} });
  groups.push(group);
  return group;
}

/** An owner that is certainly not running: a finished process of ours. */
async function deadOwner(): Promise<ProcessOwner> {
  const group = await start({ shell: 'exit 0' });
  await group.exited;
  return { pid: group.pid, startTime: group.startTime ?? null };
}

function writeState(entries: ProcessEntry[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'processes.json'), JSON.stringify({ version: 1, entries }));
}

function entryFor(
  group: ProcessGroup,
  owner: ProcessOwner,
  startTime = group.startTime ?? null,
): ProcessEntry {
  return { service: 'api', role: 'service', pid: group.pid, startTime, cmd: 'sleep 300', owner };
}

describe.runIf(linux)('ProcessRegistry.sweep', () => {
  it('kills a leftover recorded with its start time', async () => {
    const group = await start({ argv: ['sleep', '300'] });
    writeState([entryFor(group, await deadOwner())]);
    const notes = await new ProcessRegistry(dir).sweep();
    expect(notes).toEqual([`killed api (pid ${group.pid}, left by an earlier session)`]);
    expect((await group.exited).signal).toBe('SIGTERM');
    expect(await ProcessRegistry.read(dir)).toEqual([]);
  });

  it('never kills a live process whose start time differs (a reused PID)', async () => {
    const group = await start({ argv: ['sleep', '300'] });
    writeState([entryFor(group, await deadOwner(), (group.startTime ?? 0) + 1)]);
    expect(await new ProcessRegistry(dir).sweep()).toEqual([]);
    expect(isSameProcess(group.pid, group.startTime)).toBe(true);
    expect(await ProcessRegistry.read(dir)).toEqual([]);
  });

  it('drops entries of dead processes silently', async () => {
    const owner = await deadOwner();
    const gone = await start({ shell: 'exit 0' });
    await gone.exited;
    writeState([entryFor(gone, owner)]);
    expect(await new ProcessRegistry(dir).sweep()).toEqual([]);
  });

  it('kills children a dead leader left in its group', async () => {
    const group = await start({ shell: 'sleep 300 & echo $!' });
    await group.exited;
    const orphans = () => groupMembers(group.pid).filter((m) => !isDead(m));
    expect(await waitUntil(() => orphans().length === 1, 5_000)).toBe(true);
    const [orphan] = orphans();
    strays.push({ pid: orphan!.pid, startTime: orphan!.startTime });
    writeState([entryFor(group, await deadOwner())]);
    const notes = await new ProcessRegistry(dir).sweep();
    expect(notes).toEqual([
      `killed 1 leftover process of api (group ${group.pid}, left by an earlier session)`,
    ]);
    expect(isSameProcess(orphan!.pid, orphan!.startTime)).toBe(false);
  });

  it('leaves the processes of a running session alone unless forced', async () => {
    const owner = await start({ argv: ['sleep', '300'] });
    const group = await start({ argv: ['sleep', '300'] });
    writeState([entryFor(group, { pid: owner.pid, startTime: owner.startTime ?? null })]);
    const registry = new ProcessRegistry(dir);
    const notes = await registry.sweep();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('alone');
    expect(isSameProcess(group.pid, group.startTime)).toBe(true);
    expect(await ProcessRegistry.read(dir)).toHaveLength(1);
    expect(await registry.sweep({ force: true })).toEqual([
      `killed api (pid ${group.pid}, left by an earlier session)`,
    ]);
    expect(isSameProcess(group.pid, group.startTime)).toBe(false);
  });
});

describe('ProcessRegistry', () => {
  it('has nothing to sweep without a state file', async () => {
    expect(await new ProcessRegistry(join(dir, 'missing')).sweep()).toEqual([]);
    expect(await ProcessRegistry.read(join(dir, 'missing'))).toEqual([]);
  });

  it('moves a corrupt state file aside instead of failing', async () => {
    writeFileSync(join(dir, 'processes.json'), '{"entries": [ {"pid": ');
    await expect(ProcessRegistry.read(dir)).rejects.toBeInstanceOf(PitstopError);
    const notes = await new ProcessRegistry(dir).sweep();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('processes.json.corrupt');
    expect(readFileSync(join(dir, 'processes.json.corrupt'), 'utf8')).toBe('{"entries": [ {"pid": ');
    expect(await ProcessRegistry.read(dir)).toEqual([]);
  });

  it('treats entries with unsafe pids as corruption', async () => {
    const owner = { pid: 1234, startTime: 1 };
    writeState([{ service: 'x', role: 'service', pid: -1, startTime: 1, cmd: 'x', owner }]);
    const notes = await new ProcessRegistry(dir).sweep();
    expect(notes[0]).toContain('aside');
  });

  it('writes every change, coalescing bursts, creating the state folder', async () => {
    const stateDir = join(dir, 'nested', 'state');
    const registry = new ProcessRegistry(stateDir);
    const adds = [];
    for (let pid = 100; pid < 150; pid++) {
      adds.push(registry.add({ service: 's', role: 'build', pid, startTime: pid, cmd: 'make' }));
    }
    void registry.remove(120);
    await Promise.all(adds);
    await registry.flush();
    const onDisk = await ProcessRegistry.read(stateDir);
    expect(onDisk).toHaveLength(49);
    expect(onDisk.map((e) => e.pid)).not.toContain(120);
    expect(onDisk[0]?.owner.pid).toBe(process.pid);
    await registry.remove(100);
    expect(await ProcessRegistry.read(stateDir)).toHaveLength(48);
    expect(readdirSync(stateDir)).toEqual(['processes.json']);
  });

  it('keeps entries of an earlier session it has not swept yet', async () => {
    const owner = { pid: 1234, startTime: 1 };
    writeState([{ service: 'old', role: 'service', pid: 4242, startTime: 1, cmd: 'x', owner }]);
    const registry = new ProcessRegistry(dir);
    await registry.add({ service: 'new', role: 'service', pid: 4343, startTime: 2, cmd: 'y' });
    expect((await ProcessRegistry.read(dir)).map((e) => e.service).sort()).toEqual(['new', 'old']);
  });

  it('reports a state file it cannot write without failing', async () => {
    writeFileSync(join(dir, 'blocker'), '');
    const errors: unknown[] = [];
    const registry = new ProcessRegistry(join(dir, 'blocker'), { onWriteError: (e) => errors.push(e) });
    await registry.add({ service: 's', role: 'service', pid: 4242, startTime: 1, cmd: 'x' });
    expect(errors).toHaveLength(1);
  });
});
