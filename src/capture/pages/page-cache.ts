/**
 * The navigation and partner pages of the runs being browsed now, rendered once per run and kept as bytes. A
 * run's plan and canary never change, so neither do its pages; serving one from here costs no query and no
 * rendering (it was about 3x a fetch probe's cost per request before). Bounded: the least recently browsed runs
 * are dropped first, and a deleted run is dropped at once.
 */
export const PAGE_CACHE_RUNS = 512;

export class PageCache {
  private readonly runs = new Map<string, Map<string, Buffer>>();
  private readonly maxRuns: number;

  constructor(maxRuns = PAGE_CACHE_RUNS) {
    this.maxRuns = maxRuns;
  }

  /** The page for (token, probe): cached, else `render()`d and kept (undefined, e.g. no such run: not kept). */
  get(token: string, probe: string, render: () => string | undefined): Buffer | undefined {
    let pages = this.runs.get(token);
    const hit = pages?.get(probe);
    if (pages) {
      // Most recently used last: Map keeps insertion order.
      this.runs.delete(token);
      this.runs.set(token, pages);
    }
    if (hit) return hit;
    const html = render();
    if (html === undefined) return undefined;
    const bytes = Buffer.from(html, 'utf8');
    if (!pages) {
      pages = new Map();
      this.runs.set(token, pages);
      if (this.runs.size > this.maxRuns) this.runs.delete(this.runs.keys().next().value!);
    }
    pages.set(probe, bytes);
    return bytes;
  }

  /** The cached page for (token, probe), if any (nothing is rendered). */
  peek(token: string, probe: string): Buffer | undefined {
    return this.get(token, probe, () => undefined);
  }

  forget(token: string): void {
    this.runs.delete(token);
  }

  get size(): number {
    return this.runs.size;
  }
}
