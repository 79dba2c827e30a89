// An ssh child process dressed as a socket, so the ordinary HTTP agent can speak to a remote
// daemon through `docker system dial-stdio` — the same tunnel the docker CLI uses for ssh://.
import { type ChildProcess, spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { SshFailure } from './api-error.js';
import type { Env, SshEndpoint } from './docker-host.js';

const STDERR_LINES = 20;

/** The ssh command line for one connection (`ssh ... -- host docker system dial-stdio`). */
export function sshArgs(endpoint: SshEndpoint): string[] {
  // -T: no pseudo-terminal (binary stream); BatchMode: fail instead of prompting for a password
  // on a terminal pitstop is drawing on; `--` so a host can never be read as an option.
  const args = ['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T'];
  if (endpoint.user) args.push('-l', endpoint.user);
  if (endpoint.port) args.push('-p', String(endpoint.port));
  args.push('--', endpoint.host, 'docker', 'system', 'dial-stdio');
  return args;
}

export class SshStdioSocket extends Duplex {
  readonly child: ChildProcess;
  /** Read by the HTTP agent when it (re)arms the idle timeout. */
  timeout = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly stderr: string[] = [];

  constructor(command: string, endpoint: SshEndpoint, env: Env) {
    super({ allowHalfOpen: false });
    this.child = spawn(command, sshArgs(endpoint), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: env as NodeJS.ProcessEnv,
    });
    const { stdin, stdout, stderr } = this.child;
    stdout!.on('data', (chunk: Buffer) => {
      this.touch();
      if (!this.push(chunk)) stdout!.pause();
    });
    stderr!.setEncoding('utf8');
    stderr!.on('data', (text: string) => {
      for (const line of text.split('\n')) if (line.trim()) this.stderr.push(line.trimEnd());
      this.stderr.splice(0, Math.max(0, this.stderr.length - STDERR_LINES));
    });
    // Writes after ssh died fail with EPIPE; the exit below reports the reason instead.
    stdin!.on('error', () => {});
    this.child.on('error', (err) => this.destroy(err));
    // Wait for the exit status, not just the end of stdout: a failed login must surface as
    // ssh's own message, not as a bare "socket hang up".
    this.child.on('close', (code, signal) => {
      if (this.destroyed) return;
      if (code === 0 || (code === null && signal === 'SIGTERM')) this.push(null);
      else this.destroy(this.failure(code, signal));
    });
  }

  private failure(code: number | null, signal: NodeJS.Signals | null): SshFailure {
    const last = this.stderr.at(-1);
    const status = code === null ? `signal ${signal}` : `exit code ${code}`;
    const err = new Error(`ssh ended with ${status}${last ? `: ${last}` : ''}`) as SshFailure;
    err.code = 'SSH_EXITED';
    err.stderrTail = [...this.stderr];
    return err;
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.touch();
    this.child.stdin!.write(chunk, (err) => callback(err ?? null));
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.child.stdin!.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    clearTimeout(this.timer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    callback(err);
  }

  // The rest is the part of net.Socket's interface that the HTTP agent and client call.

  // Same contract as net.Socket#setTimeout, including removing the callback when ms is 0.
  setTimeout(ms: number, callback?: () => void): this {
    this.timeout = ms;
    if (callback) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    this.touch();
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  // An idle pooled connection must not keep pitstop alive, exactly like an idle net.Socket.
  ref(): this {
    this.child.ref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      (stream as unknown as { ref?: () => void } | null)?.ref?.();
    }
    return this;
  }

  unref(): this {
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
    return this;
  }

  private touch(): void {
    clearTimeout(this.timer);
    if (this.timeout > 0 && !this.destroyed) {
      this.timer = setTimeout(() => this.emit('timeout'), this.timeout);
      this.timer.unref();
    }
  }
}
