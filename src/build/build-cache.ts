// The last successful input hash of every build step, kept across sessions so a second
// `pitstop up` of an unchanged project compiles nothing.
import fs from 'node:fs';
import path from 'node:path';

type Hashes = Record<string, Record<string, string>>;

export class BuildCache {
  #hashes: Hashes = {};
  readonly #file: string;

  constructor(stateDir: string) {
    this.#file = path.join(stateDir, 'build-cache.json');
    try {
      const parsed = JSON.parse(fs.readFileSync(this.#file, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object') this.#hashes = parsed as Hashes;
    } catch {
      // Missing or unreadable: every step simply builds once.
    }
  }

  get(service: string, step: string): string | undefined {
    return this.#hashes[service]?.[step];
  }

  set(service: string, step: string, hash: string): void {
    this.#hashes[service] = { ...this.#hashes[service], [step]: hash };
    this.#persist();
  }

  forget(service: string, step: string): void {
    if (this.#hashes[service]?.[step] === undefined) return;
    delete this.#hashes[service][step];
    this.#persist();
  }

  #persist(): void {
    fs.mkdirSync(path.dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.#hashes, null, 1));
    fs.renameSync(tmp, this.#file);
  }
}
