// Helpers for this folder's tests: real temp folders, polling with a deadline, a minimal project.
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export async function makeTempDir(): Promise<string> {
  // realpath: on some systems the temp dir is behind a symlink, and events carry real paths.
  return realpath(await mkdtemp(path.join(os.tmpdir(), 'pitstop-watch-')));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Polls until `check` returns true; fails with `what` after the deadline. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { makeProject, makeService } from '../model/testing.js';
