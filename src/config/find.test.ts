import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PitstopError } from '../errors.js';
import { findProjectFile } from './find.js';

let root: string;

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'pitstop-find-')));
  await mkdir(path.join(root, 'app/services/api'), { recursive: true });
  await mkdir(path.join(root, 'other/deep'), { recursive: true });
  await mkdir(path.join(root, 'both'), { recursive: true });
  await writeFile(path.join(root, 'app/pitstop.yaml'), 'services: {}\n');
  await writeFile(path.join(root, 'other/pitstop.yml'), 'services: {}\n');
  await writeFile(path.join(root, 'both/pitstop.yaml'), '');
  await writeFile(path.join(root, 'both/pitstop.yml'), '');
  await writeFile(path.join(root, 'custom.yaml'), '');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function failure(fn: () => unknown): PitstopError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PitstopError);
    return err as PitstopError;
  }
  throw new Error('expected a PitstopError');
}

describe('findProjectFile', () => {
  it('finds pitstop.yaml in the working directory', () => {
    expect(findProjectFile(path.join(root, 'app'))).toBe(path.join(root, 'app/pitstop.yaml'));
  });

  it('walks up from a subfolder', () => {
    expect(findProjectFile(path.join(root, 'app/services/api'))).toBe(path.join(root, 'app/pitstop.yaml'));
  });

  it('accepts pitstop.yml, and prefers pitstop.yaml when both exist', () => {
    expect(findProjectFile(path.join(root, 'other/deep'))).toBe(path.join(root, 'other/pitstop.yml'));
    expect(findProjectFile(path.join(root, 'both'))).toBe(path.join(root, 'both/pitstop.yaml'));
  });

  it('fails with a hint when there is none', () => {
    // The temp folder's ancestors (/tmp, /) have no project file.
    const err = failure(() => findProjectFile(root));
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(`no pitstop.yaml found in ${root} or any folder above it`);
    expect(err.hint).toBe('create pitstop.yaml (see README), or use -f to name the project file');
  });

  it('takes -f relative to the working directory', () => {
    expect(findProjectFile(path.join(root, 'app'), '../custom.yaml')).toBe(path.join(root, 'custom.yaml'));
    expect(findProjectFile(root, path.join(root, 'custom.yaml'))).toBe(path.join(root, 'custom.yaml'));
  });

  it('takes -f naming a folder as the project in that folder', () => {
    expect(findProjectFile(root, 'other')).toBe(path.join(root, 'other/pitstop.yml'));
  });

  it('fails for -f naming nothing, without walking up', () => {
    const err = failure(() => findProjectFile(path.join(root, 'app'), 'nope.yaml'));
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe('no such file: nope.yaml');
    expect(failure(() => findProjectFile(root, 'custom.yaml/pitstop.yaml')).message).toBe(
      'no such file: custom.yaml/pitstop.yaml',
    );
    const folder = failure(() => findProjectFile(root, 'app/services'));
    expect(folder.message).toBe('no pitstop.yaml or pitstop.yml in app/services');
  });
});
