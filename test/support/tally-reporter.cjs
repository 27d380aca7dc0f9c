// Mocha reporter: mocha's own spec output, plus a tally appended to $HEADERGUARD_TEST_TALLY
// (one JSON line per mocha run) so that .ci/run can print its own "N passed, N failed" line.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

class TallyReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.HEADERGUARD_TEST_TALLY;
      if (!file) return;
      const { passes, failures, pending } = this.stats;
      fs.appendFileSync(file, `${JSON.stringify({ runner: 'mocha', passes, failures, pending })}\n`);
    });
  }
}

module.exports = TallyReporter;
