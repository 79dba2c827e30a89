// An image's build context as Docker sees it: the files of the context folder minus what
// .dockerignore excludes, hashed together with the Dockerfile, build args and target. The hash
// names the image, so an unchanged context never builds twice — across sessions too.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileHashes } from '../../build/file-hashes.js';
import type { ImageBuild } from '../../model/project.js';
import { dockerignore, readDockerignore } from '../../util/dockerignore.js';

export interface ContextEntry {
  /** Path inside the context, with forward slashes. */
  rel: string;
  abs: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  linkname?: string;
}

export interface BuildContext {
  entries: ContextEntry[];
  /** Where the Dockerfile is inside the context; undefined when it lies outside (sent separately). */
  dockerfileRel: string | undefined;
  hash: string;
}

export async function readContext(build: ImageBuild, hashes: FileHashes): Promise<BuildContext> {
  const patterns = readDockerignore(build);
  const ignore = dockerignore().add(patterns);
  // An exception (`!keep/this`) can re-include a path inside an excluded folder: never prune then.
  const canPrune = !patterns.some((p) => p.trim().startsWith('!'));
  const entries: ContextEntry[] = [];

  const walk = async (dir: string): Promise<void> => {
    const names = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const dirent of names) {
      const abs = path.join(dir, dirent.name);
      const rel = path.relative(build.context, abs).split(path.sep).join('/');
      const ignored = ignore.ignores(rel);
      if (dirent.isDirectory()) {
        if (ignored && canPrune) continue;
        if (!ignored) entries.push({ rel, abs, type: 'directory', mode: (await fs.stat(abs)).mode & 0o7777 });
        await walk(abs);
      } else if (!ignored) {
        const st = await fs.lstat(abs);
        if (st.isSymbolicLink()) {
          entries.push({
            rel,
            abs,
            type: 'symlink',
            mode: st.mode & 0o7777,
            linkname: await fs.readlink(abs),
          });
        } else if (st.isFile()) entries.push({ rel, abs, type: 'file', mode: st.mode & 0o7777 });
      }
    }
  };
  await walk(build.context);

  const insideContext = !path.relative(build.context, build.dockerfile).startsWith('..');
  const dockerfileRel = insideContext
    ? path.relative(build.context, build.dockerfile).split(path.sep).join('/')
    : undefined;
  // Like the docker CLI: the Dockerfile is sent even when .dockerignore excludes it (`*`, `!bin/app`).
  if (dockerfileRel && !entries.some((e) => e.rel === dockerfileRel)) {
    const st = await fs.stat(build.dockerfile);
    entries.push({ rel: dockerfileRel, abs: build.dockerfile, type: 'file', mode: st.mode & 0o7777 });
  }
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ args: build.args, target: build.target ?? null, dockerfileRel }));
  hash.update(`\0dockerfile\0${await hashes.hash(build.dockerfile)}`);
  for (const entry of entries) {
    const content = entry.type === 'file' ? await hashes.hash(entry.abs) : (entry.linkname ?? '');
    // Only the exec bit of a mode matters to what runs; umask differences elsewhere must not rebuild.
    hash.update(`\0${entry.type}\0${entry.rel}\0${entry.mode & 0o111 ? 'x' : '-'}\0${content}`);
  }
  return { entries, dockerfileRel, hash: hash.digest('hex') };
}
