// Docker's .dockerignore matching, for image build contexts and for the planner (a change to a
// file that no image contains and no rule covers needs no rebuild).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import type { ImageBuild } from '../model/project.js';

// The package is CommonJS with a `default` alias; under NodeNext the default import is the
// module object, whose `default` is the factory.
export const dockerignore = dockerignoreModule.default;

/** The patterns that apply to a build: `<Dockerfile>.dockerignore` first (BuildKit), else the context's. */
export function readDockerignore(build: ImageBuild): string[] {
  for (const file of [`${build.dockerfile}.dockerignore`, path.join(build.context, '.dockerignore')]) {
    try {
      return readFileSync(file, 'utf8')
        .split(/\r?\n/)
        .filter((line) => line.trim() && !line.trim().startsWith('#'));
    } catch {
      // Try the next one.
    }
  }
  return [];
}

/** Whether an absolute path is left out of the build context (paths outside the context are). */
export function contextExcludes(build: ImageBuild): (abs: string) => boolean {
  const patterns = readDockerignore(build);
  const matcher = dockerignore().add(patterns);
  return (abs) => {
    const rel = path.relative(build.context, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return true;
    return patterns.length > 0 && matcher.ignores(rel.split(path.sep).join('/'));
  };
}
