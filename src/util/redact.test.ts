import { describe, expect, it } from 'vitest';
import { makeRedactor } from './redact.js';

describe('makeRedactor', () => {
  it('masks every occurrence of each secret, longest first', () => {
    const redact = makeRedactor(['hunter2', 'hunter2-admin', 'ab']);
    expect(redact('login hunter2-admin then hunter2 and hunter2')).toBe(
      'login •••••• then •••••• and ••••••',
    );
    // Too short to mask without mangling ordinary text.
    expect(redact('abc')).toBe('abc');
  });

  it('passes text through untouched when there are no secrets', () => {
    expect(makeRedactor([])('anything')).toBe('anything');
  });
});
