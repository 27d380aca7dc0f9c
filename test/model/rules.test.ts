import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RULE_SEVERITY } from '../../src/detect/index.ts';
import { RULE_IDS, RULES, ruleInfo, SEVERITY_SCALE } from '../../src/model/rules.ts';
import { ALLURE_CATEGORIES } from '../../src/report/allure-files.ts';

const doc = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

/** Rows of the first Markdown table whose header starts with `| rule`: [id, severity, fails when]. */
function ruleTable(markdown: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^\|\s*rule\s*\|/.test(l));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) =>
          c
            .trim()
            .replace(/^`|`$/g, '')
            .replace(/^\*\*|\*\*$/g, ''),
        ),
    );
  }
  return rows;
}

describe('model/rules: the one rule table', () => {
  it('has unique ids, a severity on Allure scale, and coverage and attestation as the broken outcomes', () => {
    assert.equal(new Set(RULE_IDS).size, RULES.length);
    for (const r of RULES) assert.ok(SEVERITY_SCALE.includes(r.severity), r.id);
    assert.deepEqual(
      RULES.filter((r) => r.outcome === 'broken').map((r) => r.id),
      ['off-bearer', 'incomplete'],
    );
    assert.equal(ruleInfo('identity-value').severity, 'blocker');
    assert.equal(ruleInfo('incomplete').severity, 'minor');
  });

  it('is what the verdict engine stamps on findings', () => {
    for (const r of RULES) assert.equal(RULE_SEVERITY[r.id], r.severity);
  });

  it('docs/rules.md lists every rule in table order, with its severity and condition', () => {
    assert.deepEqual(
      ruleTable(doc('docs/rules.md')),
      RULES.map((r) => [r.id, r.severity, r.failsWhen]),
    );
  });

  it("README's rule table names every rule with its severity", () => {
    const rows = ruleTable(doc('README.md'));
    assert.deepEqual(
      rows.map(([id, severity]) => [id, severity]).sort(),
      RULES.map((r) => [r.id, r.severity]).sort(),
    );
  });

  it('files every rule in an Allure category whose pattern matches its failure messages', () => {
    for (const r of RULES) {
      const status = r.outcome === 'fail' ? 'failed' : 'broken';
      const category = ALLURE_CATEGORIES.find(
        (c) =>
          c.matchedStatuses.includes(status) &&
          c.messageRegex &&
          new RegExp(c.messageRegex).test(`[${r.id}] 2 findings`),
      );
      assert.equal(category?.name, r.category, r.id);
    }
  });
});
