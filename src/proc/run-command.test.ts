import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PitstopError } from '../errors.js';
import { waitUntil } from './leftovers.js';
import { ProcessRegistry } from './registry.js';
import { runCommand } from './run-command.js';
import { groupMembers, isAlive, isDead, isGroupGone } from './start-time.js';

const env = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
);
let dir: string;
const pgids: number[] = [];
const registries: ProcessRegistry[] = [];

/** A registry whose last write is awaited before the test's folder goes. */
function registryIn(folder: string): ProcessRegistry {
  const registry = new ProcessRegistry(folder);
  registries.push(registry);
  return registry;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitstop-run-'));
});

afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.flush();
  for (const pgid of pgids.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone: the expected case.
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('runCommand', () => {
  it('reports the exit code, the duration and the last 30 lines', async () => {
    const lines: string[] = [];
    const result = await runCommand(
      { shell: 'for i in $(seq 1 40); do echo line $i; done; echo oops >&2; exit 3' },
      { cwd: dir, env, onLine: (_s, l) => lines.push(l) },
    );
    expect(result.code).toBe(3);
    expect(result.signal).toBeNull();
    expect(result.aborted).toBe(false);
    expect(lines).toHaveLength(41);
    expect(result.tail).toHaveLength(30);
    expect(result.tail.at(-1)).toBe('oops');
    expect(result.tail[0]).toBe('line 12');
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('records the command in the registry while it runs', async () => {
    const registry = registryIn(join(dir, 'state'));
    const seen: number[] = [];
    const running = runCommand(
      { shell: 'sleep 0.3' },
      { cwd: dir, env, onLine: () => {}, registry, service: 'api', role: 'build' },
    );
    expect(await waitUntil(() => registry.entries().length === 1, 5_000)).toBe(true);
    await registry.flush();
    const onDisk = await ProcessRegistry.read(join(dir, 'state'));
    seen.push(...onDisk.map((e) => e.pid));
    expect(onDisk[0]).toMatchObject({ service: 'api', role: 'build', cmd: 'sleep 0.3' });
    await running;
    await registry.flush();
    expect(await ProcessRegistry.read(join(dir, 'state'))).toEqual([]);
  });

  it('aborting stops the whole group', async () => {
    const controller = new AbortController();
    const registry = registryIn(join(dir, 'state'));
    const running = runCommand(
      { shell: 'sleep 300 & sleep 300' },
      { cwd: dir, env, onLine: () => {}, signal: controller.signal, registry },
    );
    expect(await waitUntil(() => registry.entries().length === 1, 5_000)).toBe(true);
    const pgid = registry.entries()[0]!.pid;
    pgids.push(pgid);
    expect(await waitUntil(() => groupMembers(pgid).filter((m) => !isDead(m)).length >= 3, 5_000)).toBe(true);
    const begun = performance.now();
    controller.abort();
    const result = await running;
    expect(result.aborted).toBe(true);
    expect(result.signal).toBe('SIGTERM');
    expect(performance.now() - begun).toBeLessThan(1_500);
    expect(isGroupGone(pgid)).toBe(true);
  });

  it('does not start when already aborted', async () => {
    const result = await runCommand(
      { argv: ['true'] },
      { cwd: dir, env, onLine: () => {}, signal: AbortSignal.abort() },
    );
    expect(result).toMatchObject({ aborted: true, code: null });
  });

  it('stops background processes the command left behind', async () => {
    const lines: string[] = [];
    const result = await runCommand(
      { shell: 'sleep 300 & echo $!' },
      { cwd: dir, env, onLine: (_s, l) => lines.push(l) },
    );
    expect(result.code).toBe(0);
    const child = Number(lines[0]);
    expect(child).toBeGreaterThan(0);
    expect(isAlive(child)).toBe(false);
  });

  it('rejects with a PitstopError when the command cannot start', async () => {
    await expect(
      runCommand({ argv: ['pitstop-no-such-tool'] }, { cwd: dir, env, onLine: () => {} }),
    ).rejects.toThrow(PitstopError);
  });
});
