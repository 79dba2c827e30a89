import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Project } from '../model/project.js';
import { IgnoreRules } from './ignore-rules.js';
import { makeProject, makeService, makeTempDir, removeDir, waitFor } from './testing.js';
import { type RawChange, startTreeWatcher, type TreeWatcher } from './tree-watcher.js';

let root: string;
let watcher: TreeWatcher | undefined;
let changes: RawChange[];
let warnings: string[];
let errors: Error[];

beforeEach(async () => {
  root = await makeTempDir();
  changes = [];
  warnings = [];
  errors = [];
});

afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await removeDir(root);
});

async function start(
  roots: string[] = [root],
  project: Project = makeProject(root, [makeService('app', root)]),
) {
  watcher = startTreeWatcher({
    roots,
    rules: new IgnoreRules(project),
    onChanges: (batch) => changes.push(...batch),
    onWarning: (message) => warnings.push(message),
    onError: (err) => errors.push(err),
  });
  await watcher.ready;
  return watcher;
}

const p = (...parts: string[]) => path.join(root, ...parts);
const seen = (file: string, kind?: RawChange['kind']) =>
  changes.some((c) => c.path === file && (kind === undefined || c.kind === kind));

/** Writes a file and waits until it is reported: everything the kernel queued before it is in too. */
async function sentinel(dir = root): Promise<void> {
  const file = path.join(dir, `sentinel-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, 'x');
  await waitFor(() => seen(file), 'the sentinel file');
}

function write(file: string, content = 'x'): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

describe('startTreeWatcher', () => {
  it('watches existing folders without reporting them', async () => {
    write(p('a/b/c/file.txt'));
    write(p('top.txt'));
    const w = await start();
    expect(w.watchedDirs()).toBe(4);
    await sentinel();
    expect(changes.filter((c) => !c.path.includes('sentinel'))).toEqual([]);
  });

  it('reports a created, modified and deleted file', async () => {
    await start();
    write(p('src/new.ts'), 'a');
    await waitFor(() => seen(p('src/new.ts'), 'change'), 'the new file');
    changes = [];
    writeFileSync(p('src/new.ts'), 'b');
    await waitFor(() => seen(p('src/new.ts'), 'change'), 'the modification');
    rmSync(p('src/new.ts'));
    await waitFor(() => seen(p('src/new.ts'), 'delete'), 'the deletion');
    expect(errors).toEqual([]);
  });

  it('reports every file of a tree created at once, before its folders were watched', async () => {
    await start();
    const files: string[] = [];
    mkdirSync(p('x/y/z'), { recursive: true });
    for (const dir of ['x', 'x/y', 'x/y/z']) {
      for (let i = 0; i < 20; i++) {
        files.push(p(dir, `f${i}.txt`));
        writeFileSync(p(dir, `f${i}.txt`), 'x');
      }
    }
    await waitFor(() => files.every((f) => seen(f, 'change')), 'every file of the new tree');
    expect(watcher?.watchedDirs()).toBe(4);
  });

  it('reports a deleted folder once as a folder delete and stops watching it', async () => {
    write(p('gone/deep/file.txt'));
    const w = await start();
    expect(w.watchedDirs()).toBe(3);
    rmSync(p('gone'), { recursive: true });
    await waitFor(() => seen(p('gone'), 'delete'), 'the folder delete');
    await waitFor(() => w.watchedDirs() === 1, 'the watches to close');
    expect(changes.filter((c) => c.path === p('gone')).length).toBeGreaterThanOrEqual(1);
  });

  it('follows a renamed folder', async () => {
    write(p('old/inner/file.txt'));
    const w = await start();
    renameSync(p('old'), p('new'));
    await waitFor(() => seen(p('old'), 'delete') && seen(p('new/inner/file.txt'), 'change'), 'the rename');
    expect(w.watchedDirs()).toBe(3);
    changes = [];
    writeFileSync(p('new/inner/file.txt'), 'y');
    await waitFor(() => seen(p('new/inner/file.txt'), 'change'), 'a write in the renamed folder');
    expect(changes.some((c) => c.path.startsWith(p('old')))).toBe(false);
  });

  it('watches a folder deleted and re-created before its events were read', async () => {
    write(p('x/old.txt'));
    await start();
    // All in one tick: by the time the delete event is read, a new folder has the name.
    rmSync(p('x'), { recursive: true });
    mkdirSync(p('x'));
    writeFileSync(p('x/new.txt'), 'n');
    await waitFor(() => seen(p('x/new.txt'), 'change'), 'the file in the new folder');
    changes = [];
    writeFileSync(p('x/later.txt'), 'l');
    await waitFor(() => seen(p('x/later.txt'), 'change'), 'a write watched in the new folder');
    expect(watcher?.watchedDirs()).toBe(2);
  });

  it('reports nothing for attribute changes on folders', async () => {
    write(p('sub/inner/file.txt'));
    await start();
    chmodSync(p('sub'), 0o700);
    utimesSync(p('sub/inner'), new Date(), new Date());
    chmodSync(root, 0o700);
    await sentinel(p('sub/inner'));
    expect(changes.filter((c) => !c.path.includes('sentinel'))).toEqual([]);
  });

  it('does not follow symlinked folders and reports the link itself', async () => {
    write(p('target/file.txt'));
    const w = await start();
    symlinkSync(p('target'), p('link'));
    await waitFor(() => seen(p('link'), 'change'), 'the link');
    expect(w.watchedDirs()).toBe(2);
  });

  it('never watches nor reports gitignored folders, the state dir or .git', async () => {
    write(p('.gitignore'), 'node_modules/\n*.log\n');
    write(p('node_modules/pkg/index.js'));
    write(p('.pitstop/logs/x.log'));
    write(p('.git/objects/ab'));
    write(p('src/app.ts'));
    const w = await start();
    expect(w.watchedDirs()).toBe(2); // root and src
    write(p('node_modules/pkg/index.js'), 'changed');
    write(p('node_modules/fresh/index.js'));
    write(p('.pitstop/state.json'));
    write(p('.git/index'));
    write(p('src/debug.log'));
    await sentinel(p('src'));
    expect(changes.map((c) => c.path).filter((f) => !f.includes('sentinel'))).toEqual([]);
    expect(w.watchedDirs()).toBe(2);
  });

  it('applies a nested .gitignore to its own folder only', async () => {
    write(p('pkg/.gitignore'), '*.tmp\nout/\n');
    write(p('pkg/out/bin'));
    const w = await start();
    expect(w.watchedDirs()).toBe(2);
    write(p('pkg/a.tmp'));
    write(p('pkg/out/other'));
    write(p('b.tmp'));
    await waitFor(() => seen(p('b.tmp')), 'the root-level .tmp file');
    await sentinel(p('pkg'));
    expect(seen(p('pkg/a.tmp'))).toBe(false);
    expect(seen(p('pkg/out/other'))).toBe(false);
  });

  it('watches and reports files a .dockerignore excludes (host builds may read them)', async () => {
    write(p('.dockerignore'), '*\n!bin/app\n');
    write(p('src/x'));
    const w = await start();
    expect(w.watchedDirs()).toBe(2);
    write(p('src/main.go'));
    await waitFor(() => seen(p('src/main.go')), 'the dockerignored source file');
  });

  it('starts watching a folder once .gitignore stops ignoring it', async () => {
    write(p('.gitignore'), 'gen/\n');
    write(p('gen/deep/a.ts'));
    const w = await start();
    expect(w.watchedDirs()).toBe(1);
    writeFileSync(p('.gitignore'), '# nothing ignored\n');
    await waitFor(() => w.watchedDirs() === 3, 'gen to be watched');
    write(p('gen/deep/b.ts'));
    await waitFor(() => seen(p('gen/deep/b.ts'), 'change'), 'a change in the un-ignored folder');
    // The un-ignored files did not change, so they are not reported.
    expect(seen(p('gen/deep/a.ts'))).toBe(false);
    writeFileSync(p('.gitignore'), 'gen/\n');
    await waitFor(() => w.watchedDirs() === 1, 'gen to be unwatched again');
  });

  it('watches a single file', async () => {
    write(p('dir/config.yaml'));
    write(p('dir/other.txt'));
    const w = await start([p('dir/config.yaml')]);
    expect(w.watchedDirs()).toBe(0);
    writeFileSync(p('dir/other.txt'), 'y');
    writeFileSync(p('dir/config.yaml'), 'y');
    await waitFor(() => seen(p('dir/config.yaml'), 'change'), 'the file change');
    // An editor's atomic save: write a temp file, rename it over the original.
    writeFileSync(p('dir/config.yaml.tmp'), 'z');
    renameSync(p('dir/config.yaml.tmp'), p('dir/config.yaml'));
    rmSync(p('dir/config.yaml'));
    await waitFor(() => seen(p('dir/config.yaml'), 'delete'), 'the file delete');
    expect(changes.every((c) => c.path === p('dir/config.yaml'))).toBe(true);
  });

  it('reports a deleted root and picks it up again when re-created', async () => {
    write(p('svc/a.txt'));
    const w = await start([p('svc')]);
    rmSync(p('svc'), { recursive: true });
    await waitFor(() => seen(p('svc'), 'delete') && w.watchedDirs() === 0, 'the root delete');
    write(p('svc/nested/b.txt'));
    await waitFor(() => seen(p('svc/nested/b.txt'), 'change'), 'the re-created root');
    expect(w.watchedDirs()).toBe(2);
  });

  it('watches a root that does not exist yet once it appears', async () => {
    const w = await start([p('later/svc')]);
    expect(warnings.join()).toContain('does not exist yet');
    write(p('later/svc/main.go'));
    await waitFor(() => seen(p('later/svc/main.go'), 'change'), 'the new root');
    expect(w.watchedDirs()).toBe(1);
  });
});
