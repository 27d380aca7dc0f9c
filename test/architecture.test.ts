import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cyclesOf, importsOf, tsFiles } from './support/import-graph.ts';

/**
 * Dependencies point one way: no import cycle among src/ and bearers/; the verdict engine (src/detect) depends
 * only on src/detect, src/model and src/shared, and the simulator reaches it only through src/detect/index.ts;
 * bearers/ are plain data typed by src/model. Type-only imports count: a cycle of types is still a cycle of
 * modules.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const FILES = [...tsFiles(ROOT, 'src'), ...tsFiles(ROOT, 'bearers')];
const GRAPH = new Map(FILES.map((f) => [f, importsOf(f, readFileSync(path.join(ROOT, f), 'utf8'))]));

function importsLeaving(prefix: string, allowed: readonly string[]): string[] {
  const bad: string[] = [];
  for (const [file, deps] of GRAPH) {
    if (!file.startsWith(prefix)) continue;
    for (const d of deps) if (!allowed.some((a) => d.startsWith(a))) bad.push(`${file} imports ${d}`);
  }
  return bad;
}

describe('architecture: import graph of src/ and bearers/', () => {
  it('reads every kind of import statement, and finds cycles (checked on a made-up graph)', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type {\n  B,\n  C,\n} from '../b.ts';",
      "export { d } from './d/index.ts';",
      "import './side-effect.ts';",
      "const lazy = await import('./lazy.ts');",
      "import { z } from 'zod';",
    ].join('\n');
    assert.deepEqual(importsOf('src/x/y.ts', source).sort(), [
      'src/b.ts',
      'src/x/a.ts',
      'src/x/d/index.ts',
      'src/x/lazy.ts',
      'src/x/side-effect.ts',
    ]);
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a', 'd']],
      ['e', ['a']],
    ]);
    assert.deepEqual(cyclesOf(graph), [['a', 'b', 'c'], ['d']]);
    assert.deepEqual(
      cyclesOf(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
      [],
    );
  });

  it('sees the whole tree (so the checks below are not vacuous)', () => {
    for (const f of [
      'src/detect/index.ts',
      'src/detect/evaluate.ts',
      'src/model/policy.ts',
      'bearers/index.ts',
    ]) {
      assert.ok(GRAPH.has(f), f);
    }
    assert.ok(GRAPH.get('src/detect/evaluate.ts')!.includes('src/detect/match.ts'));
  });

  it('has no import cycle', () => {
    assert.deepEqual(cyclesOf(GRAPH), []);
  });

  it('keeps the verdict engine (src/detect) to src/detect, src/model and src/shared', () => {
    assert.deepEqual(importsLeaving('src/detect/', ['src/detect/', 'src/model/', 'src/shared/']), []);
  });

  it('lets the simulator (src/simulate) reach the verdict engine only through its public index', () => {
    const bad: string[] = [];
    for (const [file, deps] of GRAPH) {
      if (!file.startsWith('src/simulate/')) continue;
      for (const d of deps)
        if (d.startsWith('src/detect/') && d !== 'src/detect/index.ts') bad.push(`${file} imports ${d}`);
    }
    assert.deepEqual(bad, []);
    assert.ok(
      GRAPH.get('src/simulate/masking.ts')?.includes('src/detect/index.ts'),
      'the check sees the simulator',
    );
  });

  it('keeps bearers/ plain data: they import src/model and each other only', () => {
    assert.deepEqual(importsLeaving('bearers/', ['bearers/', 'src/model/']), []);
  });
});
