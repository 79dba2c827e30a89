// Files as they went into images, by content hash, in the state folder. A container started from
// an image holds them: asked for a file's hash, the supervisor names the base for the first delta
// after a start, instead of the whole file crossing a slow link once more.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Enough for a few versions of each shipped binary; oldest go first. */
const KEEP = 24;

export class BlobStore {
  readonly #dir: string;

  constructor(stateDir: string) {
    this.#dir = path.join(stateDir, 'blobs');
  }

  put(content: Buffer): string {
    const sha256 = createHash('sha256').update(content).digest('hex');
    const file = path.join(this.#dir, sha256);
    if (fs.existsSync(file)) {
      const now = new Date();
      fs.utimesSync(file, now, now);
      return sha256;
    }
    fs.mkdirSync(this.#dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
    this.#prune();
    return sha256;
  }

  get(sha256: string): Buffer | undefined {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    try {
      return fs.readFileSync(path.join(this.#dir, sha256));
    } catch {
      return undefined;
    }
  }

  #prune(): void {
    const blobs = fs
      .readdirSync(this.#dir)
      .filter((name) => /^[0-9a-f]{64}$/.test(name))
      .map((name) => ({ name, at: fs.statSync(path.join(this.#dir, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const old of blobs.slice(KEEP)) fs.rmSync(path.join(this.#dir, old.name), { force: true });
  }
}
