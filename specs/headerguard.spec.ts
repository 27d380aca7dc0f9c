import { RULE_IDS } from '../src/model/rules.ts';
import { HandsetUnderTest, wdioDriver } from '../src/run/spec-support.ts';
import { mark } from '../src/run/timing.ts';

// One worker = one handset: create a run, browse the probe plan through the handset's bearer, judge, and
// report one test per rule. The logic lives in src/run/.
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
