// One Compose file read as Compose reads it: YAML with positions (anchors, merge keys), `${VAR}`
// interpolated in every value, each service in its long form with absolute paths. Files are read
// once each, whether named with -f or reached through `extends: {file}`.
import { readFile } from 'node:fs/promises';
import { errorMessage, PitstopError } from '../../errors.js';
import { displayPath } from '../render.js';
import { type KeyPath, parseYaml, type YamlSource } from '../yaml-source.js';
import { describeInput } from '../zod-issues.js';
import type { Diagnostics } from './diagnostics.js';
import { interpolate, type Lookup } from './interpolate.js';
import { child, entries, fileWhere, isMap, type Node, type Origin, type Where } from './located.js';
import type { TagOf } from './merge.js';
import { normalizeService } from './normalize.js';
import { TagIndex } from './tags.js';

export interface ComposeFile {
  file: string;
  source: YamlSource;
  /** The whole document, interpolated (services as written, `x-` keys left out). */
  top: Node;
  /** Services in file order, normalized. */
  services: Map<string, Node>;
}

export class ComposeReader {
  readonly #cache = new Map<string, Promise<ComposeFile | undefined>>();
  readonly #tags = new Map<string, TagIndex>();
  readonly #warnedUnset = new Set<string>();

  constructor(
    private readonly env: Lookup,
    private readonly diag: Diagnostics,
  ) {}

  /**
   * `baseDir` is what relative paths in it are relative to. Undefined when the file could not be
   * used (reported: at `from` when a file refers to it, else thrown).
   */
  read(file: string, baseDir: string, from?: Origin): Promise<ComposeFile | undefined> {
    const key = `${file}\u0000${baseDir}`;
    let loaded = this.#cache.get(key);
    if (!loaded) {
      loaded = this.#load(file, baseDir, from);
      this.#cache.set(key, loaded);
    }
    return loaded;
  }

  /** The merge tag (`!reset`, `!override`) written at a place, if any. */
  readonly tagOf: TagOf = (where: Where) => this.#tags.get(where.origin.source.file)?.at(where.origin.path);

  async #load(file: string, baseDir: string, from?: Origin): Promise<ComposeFile | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? errorMessage(err);
      if (!from) throw new PitstopError(`cannot read ${displayPath(file)} (${reason})`, { exitCode: 3 });
      this.diag.error(from, `cannot read ${displayPath(file)} (${reason})`, {
        hint: 'the path is relative to the file that names it',
      });
      return undefined;
    }
    const source = parseYaml(file, text);
    this.diag.addFile(file, text);
    if (source.syntaxIssues.length > 0) {
      this.diag.addIssues(source.syntaxIssues, source);
      return undefined;
    }
    const origin: Origin = { source, path: [] };
    if (!isMap(source.data)) {
      const empty = source.data === null || source.data === undefined;
      this.diag.error(
        origin,
        empty
          ? 'the Compose file is empty'
          : `expected a map at the top level, got ${describeInput(source.data)}`,
        { hint: 'a Compose file is a map with a "services" key' },
      );
      return undefined;
    }
    this.#tags.set(file, new TagIndex(text));
    const own = Object.fromEntries(Object.entries(source.data).filter(([key]) => !key.startsWith('x-')));
    const top: Node = { value: this.#interpolate(own, source, []), where: fileWhere(source, []) };
    const services = new Map<string, Node>();
    const written = child(top, 'services');
    if (written && isMap(written.value)) {
      for (const [name, service] of entries(written)) services.set(name, normalizeService(service, baseDir));
    } else if (written && written.value !== null) {
      this.diag.error(
        written.where.origin,
        `expected a map of services, got ${describeInput(written.value)}`,
      );
    }
    return { file, source, top, services };
  }

  #interpolate(value: unknown, source: YamlSource, path: KeyPath): unknown {
    if (typeof value === 'string') {
      if (!value.includes('$')) return value;
      const result = interpolate(value, this.env);
      if (!result.ok) {
        this.diag.error({ source, path }, result.message, { hint: result.hint });
        return value;
      }
      for (const name of result.unset) {
        if (this.#warnedUnset.has(name)) continue;
        this.#warnedUnset.add(name);
        this.diag.warn(
          { source, path },
          path,
          `the "${name}" variable is not set, so it is an empty string here`,
        );
      }
      return result.value;
    }
    if (Array.isArray(value)) return value.map((item, i) => this.#interpolate(item, source, [...path, i]));
    if (isMap(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value))
        out[key] = this.#interpolate(item, source, [...path, key]);
      return out;
    }
    return value;
  }
}
