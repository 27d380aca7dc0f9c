import assert from 'node:assert/strict';
import { PageCache } from '../../src/capture/pages/page-cache.ts';

describe('capture/pages/page-cache', () => {
  it('renders a run page once, then serves the same bytes', () => {
    const cache = new PageCache();
    let renders = 0;
    const render = () => {
      renders += 1;
      return '<p>é</p>';
    };
    const first = cache.get('t1', 'nav', render);
    assert.deepEqual(first, Buffer.from('<p>é</p>', 'utf8'));
    assert.equal(cache.get('t1', 'nav', render), first);
    assert.equal(renders, 1);
    cache.get('t1', 'partner', render);
    assert.equal(renders, 2, 'each probe of a run has its own page');
  });

  it('keeps nothing for a run that does not exist', () => {
    const cache = new PageCache();
    assert.equal(
      cache.get('gone', 'nav', () => undefined),
      undefined,
    );
    assert.equal(cache.size, 0);
  });

  it('is bounded: the least recently browsed run goes first; a deleted run at once', () => {
    const cache = new PageCache(2);
    let renders = 0;
    const render = () => `page ${++renders}`;
    cache.get('a', 'nav', render);
    cache.get('b', 'nav', render);
    cache.get('a', 'nav', render); // a is now the most recent
    cache.get('c', 'nav', render); // b goes
    assert.equal(cache.size, 2);
    assert.equal(renders, 3);
    cache.get('a', 'nav', render);
    assert.equal(renders, 3, 'a kept');
    cache.get('b', 'nav', render);
    assert.equal(renders, 4, 'b rendered again');
    cache.forget('b');
    cache.get('b', 'nav', render);
    assert.equal(renders, 5, 'forgotten');
  });
});
