import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IgnoreRules } from './ignore-rules.js';
import { makeProject, makeService, makeTempDir, removeDir } from './testing.js';

let base: string;
let root: string;

beforeEach(async () => {
  base = await makeTempDir();
  root = path.join(base, 'repo');
  mkdirSync(root);
});
afterEach(() => removeDir(base));

const p = (...parts: string[]) => path.join(root, ...parts);
function write(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

function rules(extra: { ignore?: string[]; outputs?: string[]; watch?: string[] } = {}) {
  const service = makeService('api', p('api'), {
    watch: extra.watch ?? [p('api')],
    build: [
      {
        name: 'compile',
        cmd: { shell: 'make' },
        cwd: p('api'),
        env: {},
        inputs: ['**/*.go'],
        outputs: extra.outputs ?? [],
      },
    ],
  });
  return new IgnoreRules(makeProject(root, [service], { ignore: extra.ignore ?? [] }));
}

describe('IgnoreRules', () => {
  it("ignores editors' swap, backup and atomic-save files, but not folders or look-alikes", () => {
    const r = rules();
    for (const name of [
      '.main.go.swp',
      'main.go~',
      '.#main.go',
      '#main.go#',
      '4913',
      'main.go___jb_tmp___',
    ]) {
      expect(r.isIgnored(p('api', name), false), name).toBe(true);
    }
    expect(r.isIgnored(p('api', 'swap.go'), false)).toBe(false);
    expect(r.isIgnored(p('api', 'sed.go'), false)).toBe(false);
    expect(r.isIgnored(p('api', 'backup~'), true)).toBe(false);
  });

  it('always ignores .git and the state dir', () => {
    const r = rules();
    expect(r.isIgnored(p('.git'), true)).toBe(true);
    expect(r.isIgnored(p('api/.git/HEAD'), false)).toBe(true);
    expect(r.isIgnored(p('.pitstop/logs/api.log'), false)).toBe(true);
    expect(r.shouldPrune(p('.pitstop'))).toBe(true);
    expect(r.isIgnored(p('.github/workflows/ci.yml'), false)).toBe(false);
    expect(r.isIgnored(p('.pitstopx'), false)).toBe(false);
  });

  it('ignores build outputs given as paths, folders or globs', () => {
    const r = rules({ outputs: ['bin/app', 'dist', 'build/*.o', '**/*.pyc', '../shared/gen', 'out/**'] });
    expect(r.isIgnored(p('api/bin/app'), false)).toBe(true);
    expect(r.isIgnored(p('api/bin/other'), false)).toBe(false);
    expect(r.shouldPrune(p('api/dist'))).toBe(true);
    expect(r.isIgnored(p('api/dist/a/b.js'), false)).toBe(true);
    expect(r.isIgnored(p('api/build/x.o'), false)).toBe(true);
    expect(r.isIgnored(p('api/build/x.c'), false)).toBe(false);
    expect(r.isIgnored(p('api/pkg/deep/m.pyc'), false)).toBe(true);
    expect(r.isIgnored(p('shared/gen/types.go'), false)).toBe(true);
    expect(r.shouldPrune(p('api/out'))).toBe(true);
    expect(r.isIgnored(p('api/main.go'), false)).toBe(false);
  });

  it("applies the project's ignore patterns relative to the root", () => {
    const r = rules({ ignore: ['*.log', '/tmp/', 'cache/'] });
    expect(r.isIgnored(p('api/debug.log'), false)).toBe(true);
    expect(r.shouldPrune(p('tmp'))).toBe(true);
    expect(r.isIgnored(p('api/tmp'), true)).toBe(false);
    expect(r.isIgnored(p('api/cache'), false)).toBe(false); // a file, and the pattern is folder-only
    expect(r.isIgnored(p('api/cache/x'), false)).toBe(true);
  });

  it('applies nested .gitignore files to their own subtree, deeper files first', () => {
    write(p('.gitignore'), '*.gen\nfoo/bar/\nlogs/\n!logs/keep\n');
    write(p('api/.gitignore'), '!keep.gen\nlocal/\n');
    write(p('foo/.gitignore'), '!bar/\n');
    const r = rules();
    expect(r.isIgnored(p('api/x.gen'), false)).toBe(true);
    expect(r.isIgnored(p('api/keep.gen'), false)).toBe(false);
    expect(r.isIgnored(p('keep.gen'), false)).toBe(true);
    expect(r.shouldPrune(p('api/local'))).toBe(true);
    expect(r.isIgnored(p('local/x'), false)).toBe(false);
    // A deeper file re-includes a folder the root file excludes.
    expect(r.isIgnored(p('foo/bar/x.ts'), false)).toBe(false);
    // Nothing inside an excluded folder can be re-included.
    expect(r.isIgnored(p('logs/keep'), false)).toBe(true);
  });

  it('does not read a .gitignore above the project root', () => {
    write(path.join(base, '.gitignore'), 'api/\n*.ts\n');
    const r = rules();
    expect(r.isIgnored(p('api/main.ts'), false)).toBe(false);
  });

  it('reads rules files inside a watch path outside the root', () => {
    write(path.join(base, 'shared/.gitignore'), '*.tmp\n');
    const r = rules({ watch: [p('api'), path.join(base, 'shared')] });
    expect(r.isIgnored(path.join(base, 'shared/x.tmp'), false)).toBe(true);
  });

  it('leaves .dockerignore to the planner: a file kept out of an image may be a build input', () => {
    write(p('api/.dockerignore'), '*\n!bin/api\n');
    const r = rules({ watch: [p('api')] });
    expect(r.isIgnored(p('api/main.go'), false)).toBe(false);
    expect(r.shouldPrune(p('api/src'))).toBe(false);
    expect(r.isRulesFile('.dockerignore')).toBe(false);
  });

  it('picks up edited and deleted rules files on reload', () => {
    write(p('api/.gitignore'), 'gen/\n');
    const r = rules();
    expect(r.shouldPrune(p('api/gen'))).toBe(true);
    expect(r.reloadDir(p('api'))).toBe(false);
    write(p('api/.gitignore'), 'other/\n');
    expect(r.reloadDir(p('api'))).toBe(true);
    expect(r.shouldPrune(p('api/gen'))).toBe(false);
    expect(r.shouldPrune(p('api/other'))).toBe(true);
    rmSync(p('api/.gitignore'));
    expect(r.reloadDir(p('api'))).toBe(true);
    expect(r.shouldPrune(p('api/other'))).toBe(false);
  });
});
