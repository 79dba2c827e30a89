import { describe, expect, it } from 'vitest';
import { chooseEncoding } from './choose.js';
import { LinkEstimate } from './link.js';

function link(bytesPerSec?: number, local = false): LinkEstimate {
  const l = new LinkEstimate(local);
  if (bytesPerSec !== undefined) l.observeTransfer(10 * 1024 * 1024, (10 * 1024 * 1024 * 1000) / bytesPerSec);
  return l;
}

const MB = 1024 * 1024;

describe('chooseEncoding', () => {
  it('sends raw to a local engine, whatever the size', () => {
    expect(chooseEncoding({ size: 8 * MB, haveBase: true, link: link(undefined, true) }).choice).toBe('raw');
  });

  it('sends a delta over a 20 Mbit/s link when the container holds a base', () => {
    const d = chooseEncoding({ size: 6 * MB, haveBase: true, link: link(2.5e6) });
    expect(d.choice).toBe('delta');
    expect(d.reason).toMatch(/link 20\.\d Mbit\/s: raw ~2\.\d+s, gzip ~1\.\d+s, delta ~\d+ms/);
  });

  it('compresses without a base on a slow link, and sends raw on a fast one', () => {
    expect(chooseEncoding({ size: 6 * MB, haveBase: false, link: link(2.5e6) }).choice).toBe('gzip');
    expect(chooseEncoding({ size: 6 * MB, haveBase: false, link: link(500e6) }).choice).toBe('raw');
  });

  it('sends small files raw, and says why', () => {
    const d = chooseEncoding({ size: 2048, haveBase: true, link: link(2.5e6) });
    expect(d).toEqual({ choice: 'raw', reason: '2.0 KB is too small to gain from encoding' });
  });
});
