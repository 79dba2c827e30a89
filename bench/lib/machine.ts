// What the numbers were measured on. Absolute times only mean something next to this.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MachineInfo {
  cpus: number;
  cpu_model: string;
  memory_gb: number;
  platform: string;
  kernel: string;
  node: string;
  go: string | null;
  docker: string | null;
  entr: string | null;
}

/** The go binary: from PATH, else the usual install location (PATH often lacks it in CI shells). */
export function findGo(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'go'))) return path.join(dir, 'go');
  }
  return existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null;
}

/** PATH with the go toolchain's folder in front, for every loop's `go build`. */
export function pathWithGo(): string {
  const go = findGo();
  const current = process.env.PATH ?? '';
  return go ? `${path.dirname(go)}${path.delimiter}${current}` : current;
}

async function output(cmd: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await run(cmd, args, { timeout: 5000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  const cpus = os.cpus();
  const go = findGo();
  const goVersion = go ? await output(go, ['version']) : null;
  // The server version is the engine the Docker scenarios talk to; null when none answers.
  const docker = await output('docker', ['version', '--format', '{{.Server.Version}}']);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const entr = await output('dpkg-query', ['-W', '-f', '${Version}', 'entr']);
  return {
    cpus: cpus.length,
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    node: process.version,
    go: goVersion?.replace(/^go version /, '') ?? null,
    docker,
    entr,
  };
}
