/**
 * The suite's spec (specs/headerguard.spec.ts runs it; so does the compiled suite's spec file, src/run/precompile.ts).
 * One worker = one handset: create a run, browse the probe plan through the handset's bearer, judge, and report
 * one test per rule. The logic lives in spec-support.ts.
 */
import { RULE_IDS } from '../model/rules.ts';
import { HandsetUnderTest, wdioDriver } from './spec-support.ts';
import { mark } from './timing.ts';

/** Declare this worker's Mocha suite (Mocha's globals and WDIO's `browser` are this process's). */
export async function defineHandsetSpec(): Promise<void> {
  const hut = await HandsetUnderTest.fromBrowser(browser);
  mark('spec-loaded');

  describe(hut.title, () => {
    before(async () => {
      try {
        await browser.setTimeout({ pageLoad: hut.pageLoadTimeoutMs(), script: 10_000 });
        await hut.run(wdioDriver(browser));
      } catch (err) {
        await hut.failBeforeJudging(err);
      }
    });

    // One test per rule, in the rule table's order; a rule that had nothing to check is skipped, never passed.
    for (const rule of RULE_IDS) {
      it(hut.ruleTitle(rule), async function () {
        if ((await hut.assertRule(rule)) === 'skipped') this.skip();
      });
    }
  });
}
