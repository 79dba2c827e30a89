// Reading one merged Compose service: typed access to its keys, and issues and warnings that
// name the key in the project (`services.db.deploy`) and point at where it was written.
import { suggest } from '../did-you-mean.js';
import type { IssueOptions } from '../issues.js';
import type { KeyPath } from '../yaml-source.js';
import { describeInput } from '../zod-issues.js';
import type { Diagnostics } from './diagnostics.js';
import type { Lookup } from './interpolate.js';
import { entries, locate, type Node, type Origin } from './located.js';

export const NOT_SUPPORTED = 'not supported by pitstop yet (ignored)';

/** What every service mapper needs to know about the project. */
export interface ComposeContext {
  /** The project folder: the first Compose file's folder. */
  root: string;
  diag: Diagnostics;
  /** Interpolation environment: process environment over `.env`. */
  env: Lookup;
  /** Named volumes declared under the top-level `volumes`. */
  volumes: ReadonlySet<string>;
}

export class ServiceScope {
  constructor(
    readonly name: string,
    readonly node: Node,
    readonly ctx: ComposeContext,
    /** Report errors only: for a service a profile leaves out (it does not run, its keys still count). */
    readonly quiet = false,
  ) {}

  /** Where a key of this service was written. */
  at(rel: KeyPath): Origin {
    return locate(this.node.where, rel);
  }

  /** The key's path in the project, for messages: `['services', 'db', ...rel]`. */
  path(rel: KeyPath): KeyPath {
    return ['services', this.name, ...rel];
  }

  error(rel: KeyPath, message: string, options: IssueOptions = {}): void {
    this.ctx.diag.error(this.at(rel), message, options);
  }

  warn(rel: KeyPath, message: string): void {
    if (!this.quiet) this.ctx.diag.warn(this.at(rel), this.path(rel), message);
  }

  unsupported(rel: KeyPath, why = NOT_SUPPORTED): void {
    this.warn(rel, why);
  }

  /** Checks a map's keys: `read` ones pass, `unsupported` ones are warned about, others are errors. */
  checkKeys(node: Node, rel: KeyPath, read: readonly string[], unsupported: readonly string[] = []): void {
    for (const [key] of entries(node)) {
      if (key.startsWith('x-') || read.includes(key)) continue;
      if (unsupported.includes(key)) {
        this.unsupported([...rel, key]);
        continue;
      }
      const known = [...read, ...unsupported];
      const meant = suggest(key, known);
      const listed =
        known.length <= 12
          ? `allowed here: ${known.join(', ')}`
          : 'it is not a key of the Compose specification';
      this.error([...rel, key], `unknown key "${key}"`, {
        at: 'key',
        hint: meant ? `did you mean "${meant}"?` : listed,
      });
    }
  }

  /** A string (numbers are taken as written, as Compose does); reports anything else. */
  text(node: Node | undefined, rel: KeyPath, what = 'a string'): string | undefined {
    if (node === undefined || node.value === null) return undefined;
    if (typeof node.value === 'string') return node.value;
    if (typeof node.value === 'number') return String(node.value);
    this.error(rel, `expected ${what}, got ${describeInput(node.value)}`);
    return undefined;
  }

  /** A list of strings (a single string counts as a list of one). */
  texts(node: Node | undefined, rel: KeyPath): string[] | undefined {
    if (node === undefined || node.value === null) return undefined;
    if (typeof node.value === 'string') return [node.value];
    if (
      Array.isArray(node.value) &&
      node.value.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return node.value.map(String);
    }
    this.error(rel, `expected a list of strings, got ${describeInput(node.value)}`);
    return undefined;
  }

  /** A boolean, also written as a string ("true"), as the Compose schema allows. */
  flag(node: Node | undefined, rel: KeyPath): boolean | undefined {
    if (node === undefined || node.value === null) return undefined;
    if (typeof node.value === 'boolean') return node.value;
    if (node.value === 'true' || node.value === 'false') return node.value === 'true';
    this.error(rel, `expected true or false, got ${describeInput(node.value)}`);
    return undefined;
  }
}
