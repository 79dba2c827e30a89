// Child output arrives in arbitrary chunks; the rest of pitstop thinks in lines.
import { StringDecoder } from 'node:string_decoder';

/** Longest line passed on; a process printing megabytes without a newline must not exhaust memory. */
export const MAX_LINE_LENGTH = 64 * 1024;
const TRUNCATED = ' …[line truncated]';

export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #partial = '';
  /** The current line was already passed on truncated; skip input until its newline. */
  #skipping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLength: number = MAX_LINE_LENGTH,
  ) {}

  push(chunk: Buffer | string): void {
    this.#take(typeof chunk === 'string' ? chunk : this.#decoder.write(chunk));
  }

  /** Passes on the last line even when it has no trailing newline. */
  end(): void {
    this.#take(this.#decoder.end());
    if (this.#partial !== '' && !this.#skipping) this.#emit(this.#partial);
    this.#partial = '';
    this.#skipping = false;
  }

  #take(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = this.#partial + text.slice(start, nl);
      this.#partial = '';
      start = nl + 1;
      if (this.#skipping) this.#skipping = false;
      else this.#emit(line);
    }
    if (this.#skipping) return;
    this.#partial += text.slice(start);
    if (this.#partial.length > this.maxLength) {
      this.#emit(this.#partial);
      this.#partial = '';
      this.#skipping = true;
    }
  }

  #emit(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    this.onLine(line.length > this.maxLength ? line.slice(0, this.maxLength) + TRUNCATED : line);
  }
}
