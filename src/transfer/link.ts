// What the connection to a runtime can carry: round trip and throughput, measured at start and
// kept current from real transfers, so the payload diet chooses from facts, not guesses.

/** At or above this, encoding costs more than it saves: send raw. */
export const FAST_LINK_BYTES_PER_SEC = 50 * 1024 * 1024;

export class LinkEstimate {
  #bytesPerSec: number | undefined;
  #rttMs: number | undefined;
  #samples = 0;

  constructor(
    /** A unix socket to a daemon on this machine: fast, whatever the first samples say. */
    readonly local: boolean,
  ) {}

  get bytesPerSec(): number | undefined {
    return this.local ? Number.POSITIVE_INFINITY : this.#bytesPerSec;
  }

  get rttMs(): number | undefined {
    return this.#rttMs;
  }

  get samples(): number {
    return this.#samples;
  }

  isFast(): boolean {
    const rate = this.bytesPerSec;
    return rate !== undefined && rate >= FAST_LINK_BYTES_PER_SEC;
  }

  observeRtt(ms: number): void {
    this.#rttMs = this.#rttMs === undefined ? ms : this.#rttMs * 0.7 + ms * 0.3;
  }

  /**
   * A transfer of `bytes` that took `ms` end to end (including one round trip). Small transfers
   * say little about throughput and are ignored.
   */
  observeTransfer(bytes: number, ms: number): void {
    if (bytes < 64 * 1024) return;
    const netMs = Math.max(1, ms - (this.#rttMs ?? 0));
    const rate = (bytes / netMs) * 1000;
    this.#bytesPerSec = this.#bytesPerSec === undefined ? rate : this.#bytesPerSec * 0.6 + rate * 0.4;
    this.#samples++;
  }

  describe(): string {
    if (this.local) return 'local engine';
    const rate = this.#bytesPerSec;
    const parts = [rate === undefined ? 'throughput not measured yet' : `${formatRate(rate)}`];
    if (this.#rttMs !== undefined) parts.push(`rtt ${this.#rttMs.toFixed(1)} ms`);
    return `link ${parts.join(', ')}`;
  }
}

export function formatRate(bytesPerSec: number): string {
  const mbit = (bytesPerSec * 8) / 1e6;
  return mbit >= 100 ? `${Math.round(mbit)} Mbit/s` : `${mbit.toFixed(1)} Mbit/s`;
}
