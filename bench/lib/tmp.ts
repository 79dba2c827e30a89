// Scenario working folders: each loop gets its own copy of a fixture in the system temp dir.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = path.join(repoRoot, 'bench', 'fixtures');
/** The CLI under test; PITSTOP_BIN points the bench at another build (or a stand-in while the CLI is young). */
export const pitstopBin = process.env.PITSTOP_BIN
  ? path.resolve(process.env.PITSTOP_BIN)
  : path.join(repoRoot, 'bin', 'pitstop.js');

export function makeTempDir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `pitstop-bench-${label}-`));
}

/** A fresh copy of `bench/fixtures/<name>` in a temp dir; returns the copy's path. */
export function copyFixture(name: string, label: string): string {
  const dir = makeTempDir(label);
  cpSync(path.join(fixturesDir, name), dir, { recursive: true });
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
