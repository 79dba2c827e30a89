// "Is it up to date?" kept apart from "do the work": a build step's inputs are hashed, and a
// step whose hash matches its last successful run is skipped.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import type { BuildStep, Service } from '../model/project.js';
import type { FileHashes } from './file-hashes.js';

export interface PathFilter {
  isIgnored(absPath: string, isDir: boolean): boolean;
}

export class InputHasher {
  constructor(
    private readonly filter: PathFilter,
    private readonly files: FileHashes,
  ) {}

  async hashStep(service: Service, step: BuildStep): Promise<string> {
    const isInput = picomatch(step.inputs, { dot: true });
    const isOutput = picomatch(
      step.outputs.flatMap((o) => [o, `${o.replace(/\/$/, '')}/**`]),
      { dot: true },
    );
    const files = await this.#walk(service.dir, (rel) => isInput(rel) && !isOutput(rel), isOutput);
    const hash = createHash('sha256');
    hash.update(JSON.stringify({ cmd: step.cmd, cwd: step.cwd, env: step.env, outputs: step.outputs }));
    for (const file of files) {
      hash.update(`\0${path.relative(service.dir, file)}\0${await this.files.hash(file)}`);
    }
    return hash.digest('hex');
  }

  async #walk(root: string, wanted: (rel: string) => boolean, pruned: (rel: string) => boolean) {
    const found: string[] = [];
    const visit = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        const abs = path.join(dir, entry.name);
        const rel = path.relative(root, abs).split(path.sep).join('/');
        if (entry.isDirectory()) {
          if (!this.filter.isIgnored(abs, true) && !pruned(rel)) await visit(abs);
        } else if (wanted(rel) && !this.filter.isIgnored(abs, false)) {
          found.push(abs);
        }
      }
    };
    await visit(root);
    return found;
  }
}
