// Bad input on the command line and in pitstop.yaml: every mistake is reported where it was
// made (file:line:col, key path, hint), with the right exit code, no stack trace, and nothing
// started — no process, no session file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliResult, processesIn, removeProjects, runCliAsync } from './support/project.js';

const made: string[] = [];

afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  removeProjects();
});

/** A project whose services would leave a marker file and a running process if they ever started. */
function project(yaml: string, extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'pitstop-config-'));
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'pitstop.yaml'), yaml);
  for (const [rel, text] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const RUN = 'run: "touch started-marker; exec sleep 30"';

function expectNothingStarted(dir: string, result: CliResult): void {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('internal error');
  expect(fs.existsSync(path.join(dir, 'started-marker'))).toBe(false);
  expect(fs.existsSync(path.join(dir, '.pitstop', 'session.json'))).toBe(false);
  expect(processesIn(dir)).toEqual([]);
}

interface Expected {
  /** `pitstop.yaml:<line>:<col>`, or a pattern for it. */
  where: string | RegExp;
  /** The key path printed after the location. */
  key: string | RegExp;
  message: string | RegExp;
  hint: string | RegExp;
}

function toRegex(text: string | RegExp): RegExp {
  return typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text;
}

/** `pitstop validate` and `pitstop up` both refuse the file with exit 3 and the same report. */
async function expectConfigError(dir: string, expected: Expected): Promise<void> {
  for (const args of [['validate'], ['up']]) {
    const result = await runCliAsync(args, dir, 20_000);
    const output = `${args[0]}: exit ${result.code}\n${result.stderr}${result.stdout}`;
    expect(result.code, output).toBe(3);
    expectNothingStarted(dir, result);
    expect(result.stdout, output).toBe('');
    const line = result.stderr.split('\n').find((l) => /pitstop\.yaml:\d+:\d+/.test(l)) ?? '';
    expect(line, output).toMatch(/^error: pitstop\.yaml:\d+:\d+: /);
    expect(line, output).toMatch(toRegex(expected.where));
    expect(line, output).toMatch(toRegex(expected.message));
    expect(line, `key path missing in ${output}`).toMatch(toRegex(expected.key));
    const hint = result.stderr.split('\n').find((l) => l.trimStart().startsWith('hint:')) ?? '';
    expect(hint, `hint missing in ${output}`).toMatch(toRegex(expected.hint));
  }
}

describe('an invalid pitstop.yaml', () => {
  it('invalid YAML: points at the broken spot, names the key, gives a hint', async () => {
    const dir = project(`services:\n  api:\n    ${RUN}\n    ports: [3000]]\n`);
    await expectConfigError(dir, {
      where: 'pitstop.yaml:4:18:',
      key: ': services.api.ports: ',
      message: /"\]"/,
      hint: /hint: \S/,
    });
  });

  it('an unknown key: did you mean the right one?', async () => {
    const dir = project(`services:\n  api:\n    ${RUN}\n    prots: [3000]\n`);
    await expectConfigError(dir, {
      where: 'pitstop.yaml:4:5:',
      key: ': services.api.prots: ',
      message: 'unknown key "prots"',
      hint: 'hint: did you mean "ports"?',
    });
  });

  it('a wrong type: says what was expected and what was written', async () => {
    const dir = project(`services:\n  api:\n    ${RUN}\n    ports: 3000\n`);
    await expectConfigError(dir, {
      where: 'pitstop.yaml:4:12:',
      key: ': services.api.ports: ',
      message: 'expected a list of port numbers, got a number',
      hint: /hint: \S/,
    });
  });

  it('a dir that does not exist', async () => {
    const dir = project(`services:\n  api:\n    dir: nowhere\n    ${RUN}\n`);
    await expectConfigError(dir, {
      where: 'pitstop.yaml:3:10:',
      key: ': services.api.dir: ',
      message: 'no such directory "nowhere"',
      hint: 'hint: dir is relative to the folder holding the project file',
    });
  });

  it('a dependency cycle', async () => {
    const dir = project(
      `services:\n  a:\n    ${RUN}\n    depends_on: [b]\n  b:\n    ${RUN}\n    depends_on: [a]\n`,
    );
    await expectConfigError(dir, {
      where: /pitstop\.yaml:(4:18|7:18):/,
      key: /: services\.(a|b)\.depends_on\[0\]: /,
      message: /dependency cycle: (a → b → a|b → a → b)/,
      hint: 'hint: remove one of the depends_on entries in this cycle',
    });
  });
});

describe('bad command lines', () => {
  it('no pitstop.yaml in the folder or above: exit 3 with a hint', async () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'pitstop-nofile-'));
    made.push(dir);
    for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
      expect(
        fs.existsSync(path.join(path.dirname(d), 'pitstop.yaml')),
        'a pitstop.yaml above the test dir',
      ).toBe(false);
    }
    for (const args of [['up'], ['validate'], ['ci']]) {
      const result = await runCliAsync(args, dir, 20_000);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toContain(`error: no pitstop.yaml found in ${dir} or any folder above it`);
      expect(result.stderr).toMatch(/^\s+hint: create pitstop\.yaml/m);
      expectNothingStarted(dir, result);
      expect(fs.readdirSync(dir)).toEqual([]);
    }
  });

  it('an unknown service name: exit 2 with did-you-mean, nothing started', async () => {
    const dir = project(`services:\n  api:\n    ${RUN}\n  web:\n    ${RUN}\n`);
    for (const args of [
      ['up', 'apii'],
      ['ci', 'apii'],
    ]) {
      const result = await runCliAsync(args, dir, 20_000);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('no service named "apii"');
      expect(result.stderr).toContain('hint: did you mean "api"?');
      expectNothingStarted(dir, result);
    }
  });

  it('an unknown option: exit 2, nothing started', async () => {
    const dir = project(`services:\n  api:\n    ${RUN}\n`);
    for (const args of [
      ['up', '--bogus'],
      ['validate', '--bogus'],
    ]) {
      const result = await runCliAsync(args, dir, 20_000);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain("error: unknown option '--bogus'");
      expectNothingStarted(dir, result);
    }
  });

  it('a valid file still validates (the fixtures above are wrong only where intended)', async () => {
    const dir = project(
      `services:\n  a:\n    ${RUN}\n    ports: [3000]\n  b:\n    ${RUN}\n    depends_on: [a]\n`,
    );
    const result = await runCliAsync(['validate'], dir, 20_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('is valid: 2 services (a, b)');
  });
});
