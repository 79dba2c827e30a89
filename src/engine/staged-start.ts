// A start ahead: while a service waits for its dependencies, its instance (a container) starts
// with the process held, so that start overlaps theirs; once they are ready the process is
// released in it. Anything that goes wrong ahead is left for the real start to meet and report.
import type { Instance } from '../runtimes/runtime.js';

export class StagedStart {
  readonly #begunAt = performance.now();
  readonly #instance: Promise<Instance | undefined>;
  #holding = true;
  #lost = false;

  constructor(start: () => Promise<Instance>) {
    this.#instance = start().catch(() => undefined);
  }

  /** Not yet handed over: an exit of its instance is no crash of the service, only its loss. */
  get holding(): boolean {
    return this.#holding;
  }

  /** Resolves once the start ahead has done what it could (work that must not overlap it waits). */
  settled(): Promise<unknown> {
    return this.#instance;
  }

  /** Its instance stopped while held: it is not to be used. */
  lose(): void {
    this.#lost = true;
  }

  /**
   * Releases the held process and hands the instance over, with how long ago its start began
   * when a process was in fact held. Undefined when there is none to use; nothing is left then.
   */
  async release(): Promise<{ instance: Instance; aheadMs?: number } | undefined> {
    const instance = await this.#instance;
    this.#holding = false;
    if (!instance) return undefined;
    if (!this.#lost) {
      try {
        const held = (await instance.release?.()) ?? false;
        return held ? { instance, aheadMs: performance.now() - this.#begunAt } : { instance };
      } catch {
        // Start afresh; its failure, if any, is the one to report.
      }
    }
    await instance.stop().catch(() => undefined);
    return undefined;
  }

  /** Stops whatever was started ahead (the session ends before it was needed). */
  async discard(): Promise<void> {
    this.#holding = false;
    await (await this.#instance)?.stop();
  }
}
