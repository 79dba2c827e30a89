import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lines.js';

function split(chunks: (string | Buffer)[], max?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), max);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('joins lines split across chunks and keeps empty lines', () => {
    expect(split(['he', 'llo\nwor', 'ld\n\nlast'])).toEqual(['hello', 'world', '', 'last']);
  });

  it('strips the \\r of \\r\\n, also when the \\r ends a chunk', () => {
    expect(split(['a\r\nb\r', '\nc\r\n'])).toEqual(['a', 'b', 'c']);
  });

  it('does not emit an extra empty line for a trailing newline', () => {
    expect(split(['x\n'])).toEqual(['x']);
    expect(split([])).toEqual([]);
  });

  it('decodes multi-byte characters split between chunks', () => {
    const bytes = Buffer.from('héllo ✓\n', 'utf8');
    expect(split([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual(['héllo ✓']);
  });

  it('caps absurdly long lines and resumes at the next newline', () => {
    const lines = split(['x'.repeat(10), 'y'.repeat(10), 'z'.repeat(10), '\nnext\n'], 16);
    expect(lines).toHaveLength(2);
    expect(lines[0]?.startsWith('x'.repeat(10) + 'y'.repeat(6))).toBe(true);
    expect(lines[0]).toContain('truncated');
    expect(lines[1]).toBe('next');
  });

  it('caps a long line that arrives in one chunk', () => {
    const lines = split([`${'a'.repeat(40)}\nok\n`], 16);
    expect(lines[0]).toBe(`${'a'.repeat(16)} …[line truncated]`);
    expect(lines[1]).toBe('ok');
  });
});
