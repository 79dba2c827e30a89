// A large source tree for watcher scenarios: nested folders of small text files, the shape of
// a monorepo checkout, generated fresh so no cache or earlier run can hide the cost.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface TreeShape {
  /** Top-level folders; each holds `subdirs` folders of `files` files. */
  top: number;
  subdirs: number;
  files: number;
}

/** 50 × 50 folders × 20 files = 50,000 files in 2,500 leaf folders. */
export const FIFTY_THOUSAND: TreeShape = { top: 50, subdirs: 50, files: 20 };

/** Writes the tree under `root` and returns the number of files written. */
export async function generateTree(root: string, shape: TreeShape): Promise<number> {
  const leaves: string[] = [];
  for (let t = 0; t < shape.top; t++) {
    for (let s = 0; s < shape.subdirs; s++) leaves.push(path.join(root, `pkg${t}`, `mod${s}`));
  }
  let written = 0;
  // A few hundred writes in flight: fast, and far below any open-file limit.
  const batch = 16;
  for (let i = 0; i < leaves.length; i += batch) {
    await Promise.all(
      leaves.slice(i, i + batch).map(async (leaf) => {
        await mkdir(leaf, { recursive: true });
        await Promise.all(
          Array.from({ length: shape.files }, (_, f) =>
            writeFile(path.join(leaf, `file${f}.ts`), `// generated\nexport const value${f} = ${f};\n`),
          ),
        );
        written += shape.files;
      }),
    );
  }
  return written;
}
