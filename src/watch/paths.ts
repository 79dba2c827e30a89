// Absolute-path helpers shared by the watcher, the ignore rules and the router.
import path from 'node:path';

/** `abs` equals `dir` or lies below it. */
export function isInside(abs: string, dir: string): boolean {
  if (abs === dir) return true;
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  return abs.startsWith(prefix);
}

/** The paths with duplicates and paths inside another path of the list removed, sorted. */
export function minimalRoots(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths.map((p) => path.resolve(p)))].sort();
  const kept: string[] = [];
  for (const candidate of sorted) {
    // Sorting puts a folder right before everything inside it, but `a-b` sorts between `a` and
    // `a/b`, so compare against every kept path rather than only the last one.
    if (!kept.some((root) => isInside(candidate, root))) kept.push(candidate);
  }
  return kept;
}
