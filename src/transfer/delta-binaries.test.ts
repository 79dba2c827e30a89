/**
 * Deltas of real Go binaries: bench/fixtures/go-version built before and
 * after a small change, unstripped and stripped (-ldflags "-s -w"), encoded
 * here and applied by both decoders (the Go one through `go test`, which
 * reports its time). Prints a table of sizes and times; skipped without Go.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeDelta } from './delta-decode.js';
import { encodeDelta, prepareBase } from './delta-encode.js';
import { encode } from './encoders.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const hasGo = spawnSync('go', ['version']).status === 0;

/** The fixture's source edits: each a target built against the unchanged base. */
const variants: Record<string, (src: string) => string> = {
  'version "v1"': (src) => src.replace('"v0"', '"v1"'),
  'version "v0.1.0-beta"': (src) => src.replace('"v0"', '"v0.1.0-beta"'),
  'one new line': (src) =>
    src.replace(
      'w.Write([]byte("ok\\n"))',
      'w.Header().Set("X-Version", version)\n\t\tw.Write([]byte("ok\\n"))',
    ),
};
const kinds: Record<string, string[]> = {
  unstripped: [],
  // Go compresses DWARF sections by default: any change rewrites ~2 MB of
  // zlib output that no delta can match. Uncompressed, it deltas like code.
  'raw DWARF': ['-ldflags', '-compressdwarf=false'],
  stripped: ['-ldflags', '-s -w'],
};

const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local' };

function run(cmd: string, args: string[], cwd: string, extra: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { cwd, env: { ...env, ...extra }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

/**
 * Best of `n` runs, in CPU ms (user + system, this process): the machine
 * these tests run on is often busy with other work, which inflates wall time
 * several-fold but CPU time much less.
 */
function best<T>(n: number, f: () => T): { value: T; ms: number } {
  let ms = Number.POSITIVE_INFINITY;
  let value!: T;
  for (let i = 0; i < n; i++) {
    const start = process.cpuUsage();
    value = f();
    const used = process.cpuUsage(start);
    ms = Math.min(ms, (used.user + used.system) / 1000);
  }
  return { value, ms };
}

const kb = (n: number) => (n / 1000).toFixed(1).padStart(8);
const ms = (n: number) => n.toFixed(0).padStart(5);

describe.skipIf(!hasGo)('deltas of real Go binaries', () => {
  const work = mkdtempSync(join(tmpdir(), 'pitstop-delta-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('round-trips and stays under 100 KB for a small change to a stripped binary', {
    timeout: 300_000,
  }, () => {
    const fixture = join(repo, 'bench/fixtures/go-version');
    const original = readFileSync(join(fixture, 'main.go'), 'utf8');
    copyFileSync(join(fixture, 'go.mod'), join(work, 'go.mod'));
    const build = (name: string, src: string, flags: string[]) => {
      writeFileSync(join(work, 'main.go'), src);
      run('go', ['build', ...flags, '-o', name, '.'], work);
      return readFileSync(join(work, name));
    };

    const cases = join(work, 'cases');
    run('mkdir', ['-p', cases], work);
    const rows: string[] = [];
    const names: string[] = [];
    for (const [kind, flags] of Object.entries(kinds)) {
      const base = build(`base-${kind}`, original, flags);
      const prepared = best(3, () => prepareBase(base));
      for (const [variant, edit] of Object.entries(variants)) {
        const src = edit(original);
        expect(src).not.toBe(original);
        const target = build(`target-${kind}`, src, flags);
        const delta = best(3, () => encodeDelta(base, target));
        const warm = best(3, () => encodeDelta(prepared.value, target));
        const decoded = best(3, () => decodeDelta(base, delta.value.delta));
        expect(Buffer.compare(decoded.value, target)).toBe(0);
        const gzip1 = best(3, () => encode('gzip1', target));
        const gzip6 = best(3, () => encode('gzip6', target));
        expect(delta.value.delta.length).toBeLessThan(gzip6.value.payload.length + 200);
        if (kind === 'stripped') expect(delta.value.delta.length).toBeLessThanOrEqual(100_000);

        const name = `${kind}-${variant}`.replace(/\W+/g, '_');
        names.push(name);
        writeFileSync(join(cases, `${name}.base`), base);
        writeFileSync(join(cases, `${name}.psd1`), delta.value.delta);
        rows.push(
          `${kind.padEnd(10)} ${variant.padEnd(22)} ${kb(target.length)} ${kb(gzip1.value.payload.length)} ${ms(gzip1.ms)}` +
            ` ${kb(gzip6.value.payload.length)} ${ms(gzip6.ms)} ${kb(delta.value.delta.length)} ${ms(delta.ms)}` +
            ` ${ms(warm.ms)} ${ms(prepared.ms)} ${ms(decoded.ms)}  {go:${name}}`,
        );
      }
    }

    // The Go decoder, as the agent runs it: base file in, temp file out, hashed.
    const out = run(
      'go',
      ['test', '-count=1', '-v', '-run', 'TestDecodeFiles', './internal/delta/'],
      join(repo, 'agent'),
      {
        PITSTOP_DELTA_CASES: cases,
      },
    );
    const goMs = new Map([...out.matchAll(/decoded (\S+) ([\d.]+) ms/g)].map((m) => [m[1]!, Number(m[2])]));
    expect([...goMs.keys()].sort()).toEqual([...names].sort());

    const head =
      'kind       change                     size KB  gzip1 KB    ms  gzip6 KB    ms  delta KB    ms' +
      '  warm index TSdec Go dec';
    console.log(
      [head, ...rows.map((r) => r.replace(/\{go:(\S+)\}/, (_, n: string) => ms(goMs.get(n)!)))].join('\n'),
    );
  });
});
