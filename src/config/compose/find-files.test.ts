// Which files make the project: pitstop.yaml, Compose files (with compose.override.yaml), both.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PitstopError } from '../../errors.js';
import { findProjectFile, findProjectFiles, isComposeFileName } from '../find.js';
import { project, removeProjects } from './testing.js';

afterAll(removeProjects);

function failure(fn: () => unknown): PitstopError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PitstopError) return err;
    throw err;
  }
  throw new Error('expected a PitstopError');
}

describe('findProjectFiles', () => {
  it('finds a Compose file alone, walking up, in Compose order of preference', async () => {
    const root = await project({ 'docker-compose.yaml': '', 'docker-compose.yml': '', 'src/deep/': '' });
    expect(findProjectFiles(path.join(root, 'src/deep'))).toEqual({
      kind: 'compose',
      compose: [path.join(root, 'docker-compose.yml')],
    });
    await writeFile(path.join(root, 'compose.yml'), '');
    expect(findProjectFiles(root)).toEqual({ kind: 'compose', compose: [path.join(root, 'compose.yml')] });
  });

  it('adds the override file and pitstop.yaml of the same folder', async () => {
    const root = await project({ 'compose.yaml': '', 'compose.override.yaml': '', 'pitstop.yaml': '' });
    expect(findProjectFiles(root)).toEqual({
      kind: 'compose',
      compose: [path.join(root, 'compose.yaml'), path.join(root, 'compose.override.yaml')],
      pitstop: path.join(root, 'pitstop.yaml'),
    });
  });

  it('keeps a pitstop.yaml-only project as it was', async () => {
    const root = await project({ 'pitstop.yaml': '', 'api/': '' });
    expect(findProjectFiles(path.join(root, 'api'))).toEqual({
      kind: 'pitstop',
      file: path.join(root, 'pitstop.yaml'),
    });
    expect(findProjectFile(path.join(root, 'api'))).toBe(path.join(root, 'pitstop.yaml'));
  });

  it('stops at the nearest folder holding either kind', async () => {
    const root = await project({ 'compose.yaml': '', 'sub/pitstop.yaml': '' });
    expect(findProjectFiles(path.join(root, 'sub'))).toEqual({
      kind: 'pitstop',
      file: path.join(root, 'sub/pitstop.yaml'),
    });
  });

  it('takes exactly the -f files, Compose files recognized by name and merged in order', async () => {
    const root = await project({
      'compose.yaml': '',
      'compose.override.yaml': '',
      'compose.prod.yml': '',
      'pitstop.yaml': '',
      'dev.yaml': '',
      'stack/compose.yaml': '',
      'stack/pitstop.yaml': '',
    });
    expect(findProjectFiles(root, ['compose.yaml', 'compose.prod.yml'])).toEqual({
      kind: 'compose',
      compose: [path.join(root, 'compose.yaml'), path.join(root, 'compose.prod.yml')],
    });
    expect(findProjectFiles(root, ['compose.yaml', 'dev.yaml'])).toEqual({
      kind: 'compose',
      compose: [path.join(root, 'compose.yaml')],
      pitstop: path.join(root, 'dev.yaml'),
    });
    expect(findProjectFiles(root, ['pitstop.yaml'])).toEqual({
      kind: 'pitstop',
      file: path.join(root, 'pitstop.yaml'),
    });
    expect(findProjectFiles(root, ['stack'])).toEqual({
      kind: 'compose',
      compose: [path.join(root, 'stack/compose.yaml')],
      pitstop: path.join(root, 'stack/pitstop.yaml'),
    });
  });

  it('fails for nothing found, a missing -f file, and two pitstop files', async () => {
    const root = await project({ 'a.yaml': '', 'b.yaml': '', 'empty/': '' });
    await mkdir(path.join(root, 'x'), { recursive: true });
    const none = failure(() => findProjectFiles(path.join(root, 'x')));
    expect(none.message).toBe(`no pitstop.yaml found in ${path.join(root, 'x')} or any folder above it`);
    expect(none.exitCode).toBe(3);
    expect(failure(() => findProjectFiles(root, ['nope.yaml'])).message).toBe('no such file: nope.yaml');
    expect(failure(() => findProjectFiles(root, ['empty'])).message).toBe(
      'no pitstop.yaml or compose.yaml in empty',
    );
    expect(failure(() => findProjectFiles(root, ['a.yaml', 'b.yaml'])).exitCode).toBe(2);
  });
});

describe('isComposeFileName', () => {
  it('knows Compose file names', () => {
    for (const name of [
      'compose.yaml',
      'docker-compose.yml',
      'compose.override.yaml',
      'compose.prod.yml',
      'docker-compose-dev.yaml',
    ]) {
      expect(isComposeFileName(`/x/${name}`)).toBe(true);
    }
    for (const name of ['pitstop.yaml', 'custom.yaml', 'composer.yaml', 'compose.json']) {
      expect(isComposeFileName(`/x/${name}`)).toBe(false);
    }
  });
});
