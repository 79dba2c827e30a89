// Runs a service's host-side build steps (compilers, bundlers), skipping a step whose inputs
// are unchanged since its last success and whose outputs are still there.
import fs from 'node:fs';
import path from 'node:path';
import { PitstopError } from '../errors.js';
import type { BuildStep, Service } from '../model/project.js';
import type { ProcessRegistry } from '../proc/registry.js';
import { runCommand } from '../proc/run-command.js';
import type { StepResult } from '../runtimes/runtime.js';
import type { BuildCache } from './build-cache.js';
import type { InputHasher } from './input-hash.js';

export interface BuildOptions {
  /** Build even when the inputs hash says the outputs are current (`pitstop trigger`). */
  force: boolean;
  signal?: AbortSignal;
  onLine(stream: 'stdout' | 'stderr', line: string): void;
}

export interface BuildResult extends StepResult {
  cached: boolean;
}

export class Builder {
  constructor(
    private readonly hasher: InputHasher,
    private readonly cache: BuildCache,
    private readonly registry: ProcessRegistry,
  ) {}

  async run(service: Service, step: BuildStep, options: BuildOptions): Promise<BuildResult> {
    const hash = await this.hasher.hashStep(service, step);
    if (!options.force && this.cache.get(service.name, step.name) === hash && outputsExist(service, step)) {
      return { cached: true, detail: 'inputs unchanged' };
    }
    const result = await runCommand(step.cmd, {
      cwd: step.cwd,
      env: { ...(process.env as Record<string, string>), ...step.env },
      onLine: options.onLine,
      signal: options.signal,
      registry: this.registry,
      service: service.name,
      role: 'build',
    });
    if (result.code !== 0) {
      this.cache.forget(service.name, step.name);
      const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
      throw new PitstopError(
        `build step "${step.name}" of ${service.name} failed: ${commandText(step)} ${how}`,
        {
          hint:
            result.code === 127
              ? 'the build command was not found: check PATH'
              : 'fix the error and save again',
          logTail: result.tail,
        },
      );
    }
    // Inputs may have changed while the step ran: hash again (off the edit-to-live path) and
    // remember the hash only if it still holds, so a mid-build edit is never taken as built.
    void this.hasher.hashStep(service, step).then(
      (after) => after === hash && this.cache.set(service.name, step.name, hash),
      () => undefined,
    );
    return { cached: false };
  }
}

function outputsExist(service: Service, step: BuildStep): boolean {
  return step.outputs
    .filter((o) => !/[*?[\]{}]/.test(o))
    .every((o) => fs.existsSync(path.resolve(service.dir, o)));
}

function commandText(step: BuildStep): string {
  return `"${'shell' in step.cmd ? step.cmd.shell : step.cmd.argv.join(' ')}"`;
}
