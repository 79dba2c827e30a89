import { describe, expect, it } from 'vitest';
import { didYouMean, levenshtein, suggest } from './did-you-mean.js';

describe('levenshtein', () => {
  it('counts edits', () => {
    expect(levenshtein('run', 'run')).toBe(0);
    expect(levenshtein('ruun', 'run')).toBe(1);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
  });
});

describe('suggest', () => {
  const keys = ['dir', 'runtime', 'env', 'watch', 'run', 'ports', 'depends_on', 'live_update'];

  it('finds close matches', () => {
    expect(suggest('ruun', keys)).toBe('run');
    expect(suggest('port', keys)).toBe('ports');
    expect(suggest('dependson', keys)).toBe('depends_on');
    expect(suggest('live-update', keys)).toBe('live_update');
    expect(suggest('WATCH', keys)).toBe('watch');
  });

  it('stays quiet when nothing is close', () => {
    expect(suggest('image', keys)).toBeUndefined();
    expect(suggest('xyz', keys)).toBeUndefined();
    expect(suggest('a', ['b'])).toBeUndefined();
  });

  it('words the hint', () => {
    expect(didYouMean('apii', ['api', 'web'])).toBe('did you mean "api"?');
    expect(didYouMean('zzz', ['api', 'web'])).toBeUndefined();
  });
});
