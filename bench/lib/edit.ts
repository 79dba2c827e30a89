// The edit every scenario makes: rewrite a version string in a real source file, in place,
// as an editor's plain save does.
import { readFileSync, writeFileSync } from 'node:fs';

/** Epoch milliseconds with sub-millisecond precision; the one clock all bench timings use. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

// Matches `const version = "x"` (Go) and `export const version = 'x'` (JS): the quote is kept.
const VERSION = /(\bversion\s*=\s*)(["'])[^"'\n]*\2/;

/**
 * Replaces the version string in `file` with `version` and returns the time taken just before
 * the write: edit-to-live starts when the write starts, so reading the file is not counted.
 */
export function writeVersion(file: string, version: string): number {
  const before = readFileSync(file, 'utf8');
  if (!VERSION.test(before)) throw new Error(`no version string (version = "...") in ${file}`);
  const after = before.replace(VERSION, (_m, lhs: string, q: string) => `${lhs}${q}${version}${q}`);
  const writtenAt = now();
  writeFileSync(file, after);
  return writtenAt;
}

/** A version string unique to this run, loop and edit, so no build cache can serve an old one. */
export function versionFor(runId: string, loop: string, n: number): string {
  return `v-${runId}-${loop}-${String(n).padStart(4, '0')}`;
}
