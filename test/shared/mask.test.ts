import assert from 'node:assert/strict';
import {
  maskDigitRuns,
  maskIdentifier,
  maskKnown,
  maskLongDigitRuns,
  maskOpaque,
} from '../../src/shared/mask.ts';

describe('mask', () => {
  it('keeps the first 4 and last 2 characters of an identifier', () => {
    assert.equal(maskIdentifier('447700900123'), '4477******23');
  });

  it('masks short identifiers harder', () => {
    assert.equal(maskIdentifier('12345'), '12**5');
    assert.equal(maskIdentifier('1234'), '****');
  });

  it('keeps only a short prefix of opaque values', () => {
    assert.equal(maskOpaque('d41d8cd98f00b204e9800998ecf8427e'), 'd41d8c…(32 chars)');
  });

  it('masks digit runs in free text, separators included', () => {
    const out = maskDigitRuns('number +44 7700 900123 on port 8080');
    assert.equal(out, 'number 4477******23 on port 8080');
  });

  it('masks known secrets wherever they occur', () => {
    assert.equal(maskKnown('imsi=234101234567890;', ['234101234567890']), 'imsi=2341*********90;');
  });
});

describe('mask: long digit runs', () => {
  it('masks 9+ digit runs and leaves version numbers readable', () => {
    assert.equal(
      maskLongDigitRuns('Chrome/159.0.8154.6 id=123456789012'),
      'Chrome/159.0.8154.6 id=1234******12',
    );
  });
});
