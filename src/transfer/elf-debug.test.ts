import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugInfo } from './elf-debug.js';

const hasGo = spawnSync('go', ['version']).status === 0;

describe.runIf(hasGo)('debugInfo (real Go binaries)', () => {
  it('measures what -s -w would strip, and nothing in a stripped binary', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitstop-elf-'));
    try {
      fs.writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc main() { println("hi") }\n');
      fs.writeFileSync(path.join(dir, 'go.mod'), 'module x\n\ngo 1.19\n');
      const env = { ...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'amd64' };
      execFileSync('go', ['build', '-o', 'full', '.'], { cwd: dir, env });
      execFileSync('go', ['build', '-ldflags', '-s -w', '-o', 'stripped', '.'], { cwd: dir, env });
      const full = fs.readFileSync(path.join(dir, 'full'));
      const stripped = fs.readFileSync(path.join(dir, 'stripped'));
      const info = debugInfo(full);
      expect(info?.go).toBe(true);
      // The measured saving is close to the real one (the linker also drops a little more).
      const real = full.length - stripped.length;
      expect(info?.strippable).toBeGreaterThan(real * 0.8);
      expect(info?.strippable).toBeLessThanOrEqual(real * 1.05);
      expect(debugInfo(stripped)).toEqual({ strippable: 0, go: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('debugInfo', () => {
  it('says nothing about files that are not 64-bit little-endian ELF', () => {
    expect(debugInfo(Buffer.from('#!/bin/sh\necho hi\n'))).toBeUndefined();
    expect(debugInfo(new Uint8Array(10))).toBeUndefined();
  });
});
