// Compose's merge tags: in an override file, `!reset` removes a value the earlier files set and
// `!override` replaces it instead of merging. The YAML library keeps unknown tags as plain values,
// so they are found here, by key path, from the document itself.
import { isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';
import type { KeyPath } from '../yaml-source.js';

export type MergeTag = 'reset' | 'override';

const pathKey = (path: KeyPath) => path.map(String).join('\u0000');

export class TagIndex {
  readonly #tags = new Map<string, MergeTag>();

  constructor(text: string) {
    if (!text.includes('!reset') && !text.includes('!override')) return;
    const doc = parseDocument(text, { merge: true, prettyErrors: false });
    this.#walk(doc.contents as Node | null, []);
  }

  #walk(node: Node | null | undefined, path: (string | number)[]): void {
    if (!node) return;
    const tag = 'tag' in node ? node.tag : undefined;
    if (tag === '!reset' || tag === '!override') this.#tags.set(pathKey(path), tag.slice(1) as MergeTag);
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        this.#walk(item as Node, [...path, i]);
      });
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        this.#walk(pair.value as Node, [...path, key]);
      }
    }
  }

  at(path: KeyPath): MergeTag | undefined {
    return this.#tags.size === 0 ? undefined : this.#tags.get(pathKey(path));
  }
}
