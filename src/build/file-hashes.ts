// Content hashes of files, cached by (inode, size, mtime, ctime) so re-hashing an unchanged
// tree reads no file contents. Shared by build-step inputs and image build contexts.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';

interface Cached {
  stamp: string;
  hash: string;
}

export class FileHashes {
  readonly #files = new Map<string, Cached>();

  /** Forget files that changed, so a write within one mtime tick is never missed. */
  invalidate(paths: Iterable<string>): void {
    for (const p of paths) this.#files.delete(p);
  }

  /** sha256 of the file's contents; 'missing' or 'unreadable' when it cannot be read. */
  async hash(file: string): Promise<string> {
    let stamp: string;
    try {
      const st = await fs.stat(file, { bigint: true });
      stamp = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    } catch {
      return 'missing';
    }
    const cached = this.#files.get(file);
    if (cached?.stamp === stamp) return cached.hash;
    const hash = await hashContents(file);
    this.#files.set(file, { stamp, hash });
    return hash;
  }
}

function hashContents(file: string): Promise<string> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', () => resolve('unreadable'));
  });
}
