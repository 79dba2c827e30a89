import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { displayPath, renderIssue, renderIssues } from './render.js';

const file = path.join(process.cwd(), 'pitstop.yaml');
const source = ['services:', '  api:', '    ruun: ./bin/api', '\tx: 1'].join('\n');
const unknownKey: ConfigIssue = {
  file,
  line: 3,
  col: 5,
  path: 'services.api.ruun',
  message: 'unknown key "ruun"',
  hint: 'did you mean "run"?',
};

describe('renderIssue', () => {
  it('prints the position, the line with a caret, and the hint', () => {
    expect(renderIssue(unknownKey, source.split('\n'))).toBe(
      [
        'pitstop.yaml:3:5: services.api.ruun: unknown key "ruun"',
        '   3 |     ruun: ./bin/api',
        '     |     ^',
        '  hint: did you mean "run"?',
      ].join('\n'),
    );
  });

  it('leaves out the path for whole-file issues and the frame without source', () => {
    const issue: ConfigIssue = { file, line: 1, col: 1, path: '', message: 'the file is empty' };
    expect(renderIssue(issue)).toBe('pitstop.yaml:1:1: the file is empty');
  });

  it('keeps the caret aligned on lines with tabs and widens the gutter for long files', () => {
    const tabbed: ConfigIssue = { file, line: 4, col: 2, path: 'x', message: 'm' };
    expect(renderIssue(tabbed, source.split('\n')).split('\n').slice(1)).toEqual([
      '   4 |  x: 1',
      '     |  ^',
    ]);
    const lines = Array.from({ length: 12345 }, () => 'a: b');
    const far: ConfigIssue = { file, line: 12345, col: 4, path: 'a', message: 'm' };
    expect(renderIssue(far, lines).split('\n').slice(1)).toEqual([' 12345 | a: b', '       |    ^']);
  });
});

describe('renderIssues', () => {
  it('separates issues with blank lines and counts them', () => {
    const second: ConfigIssue = {
      ...unknownKey,
      line: 1,
      col: 1,
      path: 'services',
      message: 'm',
      hint: undefined,
    };
    expect(renderIssues([unknownKey, second], source)).toBe(
      [
        renderIssue(unknownKey, source.split('\n')),
        '',
        'pitstop.yaml:1:1: services: m',
        '   1 | services:',
        '     | ^',
        '',
        '2 problems in pitstop.yaml',
      ].join('\n'),
    );
  });

  it('is the message of a ConfigError', () => {
    const err = new ConfigError([unknownKey], source);
    expect(err.message).toBe(renderIssue(unknownKey, source.split('\n')));
    expect(err.exitCode).toBe(3);
    expect(err.issues).toEqual([unknownKey]);
  });
});

describe('displayPath', () => {
  it('is relative inside the working directory and absolute outside it', () => {
    expect(displayPath('/work/app/pitstop.yaml', '/work')).toBe('app/pitstop.yaml');
    expect(displayPath('/elsewhere/pitstop.yaml', '/work')).toBe('/elsewhere/pitstop.yaml');
  });
});
