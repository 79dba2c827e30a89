// `extends`: a service starts from another service, in the same file or in another one (whose
// relative paths stay relative to its own folder), and its own keys merge on top with the same
// rules as override files. A chain that comes back to where it started is an error naming it.
import path from 'node:path';
import { didYouMean } from '../did-you-mean.js';
import { displayPath } from '../render.js';
import type { ComposeFile, ComposeReader } from './compose-file.js';
import type { Diagnostics } from './diagnostics.js';
import { builtMap, child, entries, isMap, type Node } from './located.js';
import { mergeMaps } from './merge.js';

interface Link {
  key: string;
  file: string;
  name: string;
  /** The `extends` node of this service. */
  ext: Node;
}

const keyOf = (file: string, name: string) => `${file}\u0000${name}`;

function withoutExtends(service: Node): Node {
  if (!isMap(service.value) || !('extends' in service.value)) return service;
  return builtMap(
    service.where.origin,
    entries(service).filter(([key]) => key !== 'extends'),
  );
}

export class ExtendsResolver {
  readonly #done = new Map<string, Node>();
  /** Services whose `extends` could not be applied (reported): the rest of them would mislead. */
  readonly #broken = new Set<string>();
  /** Services found in a loop: reported once, then used without their `extends`. */
  readonly #inLoop = new Set<string>();

  constructor(
    private readonly reader: ComposeReader,
    private readonly diag: Diagnostics,
  ) {}

  /** Every service of `file` with its `extends` applied. */
  async resolveFile(file: ComposeFile): Promise<Map<string, Node>> {
    const out = new Map<string, Node>();
    for (const name of file.services.keys()) out.set(name, await this.#service(file, name, []));
    return out;
  }

  /** Whether the service's `extends` failed (an error was reported). */
  isBroken(file: ComposeFile, name: string): boolean {
    return this.#broken.has(keyOf(file.file, name));
  }

  async #service(file: ComposeFile, name: string, chain: Link[]): Promise<Node> {
    const key = keyOf(file.file, name);
    const own = file.services.get(name)!;
    const done = this.#done.get(key);
    if (done) return done;
    if (this.#inLoop.has(key)) return this.#fail(key, own);
    const ext = child(own, 'extends');
    if (!ext) return this.#finish(key, own);

    const at = chain.findIndex((link) => link.key === key);
    if (at >= 0) {
      this.#reportLoop(chain.slice(at), name, file.file);
      return this.#fail(key, own);
    }
    const target = this.#target(ext);
    if (!target) return this.#fail(key, own);
    const baseFile = target.file
      ? await this.reader.read(
          target.file.value as string,
          path.dirname(target.file.value as string),
          target.file.where.origin,
        )
      : file;
    if (!baseFile) return this.#fail(key, own);
    if (!baseFile.services.has(target.service)) {
      const names = [...baseFile.services.keys()];
      this.diag.error(
        child(ext, 'service')!.where.origin,
        `no service "${target.service}" in ${displayPath(baseFile.file)}`,
        { hint: didYouMean(target.service, names) ?? `its services are: ${names.join(', ') || 'none'}` },
      );
      return this.#fail(key, own);
    }
    const base = await this.#service(baseFile, target.service, [
      ...chain,
      { key, file: file.file, name, ext },
    ]);
    const baseKey = keyOf(baseFile.file, target.service);
    if (this.#inLoop.has(key) || this.#broken.has(baseKey)) return this.#fail(key, own);
    return this.#finish(key, mergeMaps(withoutExtends(base), withoutExtends(own), '', this.reader.tagOf));
  }

  #fail(key: string, own: Node): Node {
    this.#broken.add(key);
    return this.#finish(key, withoutExtends(own));
  }

  #finish(key: string, service: Node): Node {
    this.#done.set(key, service);
    return service;
  }

  /** `extends: name` was normalized to `{service: name}`; anything else is reported. */
  #target(ext: Node): { service: string; file?: Node } | undefined {
    const service = child(ext, 'service');
    if (!isMap(ext.value) || typeof service?.value !== 'string' || service.value === '') {
      this.diag.error(ext.where.origin, 'expected a service name, or a map with "service" (and "file")', {
        hint: 'e.g. extends: { service: base, file: common.yaml }',
      });
      return undefined;
    }
    const file = child(ext, 'file');
    if (file && typeof file.value !== 'string') {
      this.diag.error(file.where.origin, 'expected a file path');
      return undefined;
    }
    for (const [key, part] of entries(ext)) {
      if (key !== 'service' && key !== 'file') {
        this.diag.error(part.where.origin, `unknown key "${key}"`, {
          at: 'key',
          hint: 'extends has "service" and "file"',
        });
      }
    }
    return { service: service.value, ...(file ? { file } : {}) };
  }

  #reportLoop(loop: Link[], name: string, file: string): void {
    const files = new Set([...loop.map((l) => l.file), file]);
    const show = (l: { name: string; file: string }) =>
      files.size > 1 ? `${l.name} (${displayPath(l.file)})` : l.name;
    const names = [...loop.map(show), show({ name, file })];
    for (const link of loop) this.#inLoop.add(link.key);
    this.diag.error(loop.at(-1)!.ext.where.origin, `extends loop: ${names.join(' → ')}`, {
      at: 'key',
      hint: 'a service cannot extend itself, directly or through others; remove one "extends" in the chain',
    });
  }
}
