import assert from 'node:assert/strict';
import { FarmError, FarmProblems, formatProblems, MAX_SHOWN } from '../../src/farm/farm-problems.ts';

describe('farm/farm-problems', () => {
  it('one problem is one line, as it was', () => {
    assert.equal(
      formatProblems(['farm f.json: name: must not be empty'], 'farm f.json'),
      'farm f.json: name: must not be empty',
    );
    const err = new FarmError('farm f.json: cannot read file (no such file)');
    assert.equal(err.message, 'farm f.json: cannot read file (no such file)');
    assert.equal(err.exitCode, 2);
  });

  it('several are a count line and a line each, capped', () => {
    assert.equal(formatProblems(['a', 'b'], 'farm f.json'), 'farm f.json: 2 errors\na\nb');
    const lines = Array.from({ length: MAX_SHOWN + 3 }, (_, i) => `p${i}`);
    const text = formatProblems(lines, 'farm f.json').split('\n');
    assert.equal(text.length, MAX_SHOWN + 2);
    assert.equal(text.at(-1), 'farm f.json: ... and 3 more');
  });

  it('collects lines under one prefix, flattening any newline, and throws them together', () => {
    const problems = new FarmProblems('farm f.json');
    problems.throwIfAny();
    problems.add('handset "a": bearer: x');
    problems.add('handset "b": proxy:\n  y');
    assert.throws(
      () => problems.throwIfAny(),
      (err: unknown) =>
        err instanceof FarmError &&
        err.problems.join('|') === 'farm f.json: handset "a": bearer: x|farm f.json: handset "b": proxy: y',
    );
  });
});
