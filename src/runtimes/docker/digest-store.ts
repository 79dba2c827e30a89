// Digests of images pitstop pushed, by `<registry>/<repo>:<context hash>`, in the state folder: a
// later session knows an unchanged service is already in the registry and only pulls it.
import fs from 'node:fs';
import path from 'node:path';

export class DigestStore {
  readonly #file: string;
  #digests: Record<string, string> = {};

  constructor(stateDir: string) {
    this.#file = path.join(stateDir, 'registry-digests.json');
    try {
      this.#digests = JSON.parse(fs.readFileSync(this.#file, 'utf8')) as Record<string, string>;
    } catch {
      // None yet.
    }
  }

  get(key: string): string | undefined {
    return this.#digests[key];
  }

  set(key: string, digest: string): void {
    this.#digests[key] = digest;
    fs.mkdirSync(path.dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.#digests, null, 1));
    fs.renameSync(tmp, this.#file);
  }
}
