import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../support/cli.ts';

// The install step with a stand-in apt-get on PATH: what a person sees, not what apt does.
const SCRIPT = path.join(ROOT, 'scripts', 'install-system-deps.sh');

function withFakeApt(aptBody: string, extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-apt-'));
  const apt = path.join(dir, 'apt-get');
  writeFileSync(apt, `#!/usr/bin/env bash\n${aptBody}\n`);
  chmodSync(apt, 0o755);
  const res = spawnSync('bash', [SCRIPT, '--quiet'], {
    encoding: 'utf8',
    env: {
      PATH: `${dir}:/usr/bin:/bin`,
      HEADERGUARD_CHROMIUM: path.join(dir, 'no-chromium'),
      CHROMEDRIVER_PATH: path.join(dir, 'no-chromedriver'),
      HEADERGUARD_PG_BIN: path.join(dir, 'no-postgresql'),
      HEADERGUARD_SQUID: path.join(dir, 'no-squid'),
      TMPDIR: dir,
      ...extraEnv,
    },
  });
  rmSync(dir, { recursive: true, force: true });
  return res;
}

describe('scripts/install-system-deps.sh', () => {
  it("prints one line per step and none of apt-get's output when it succeeds", () => {
    const res = withFakeApt('for i in $(seq 300); do echo "Get:$i http://deb.example/ chatter $i"; done');
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout, '');
    const lines = res.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, res.stderr);
    assert.match(lines[0]!, /^system packages: updating package lists… done \(\d+s\)$/);
    assert.match(
      lines[1]!,
      /^system packages: installing chromium chromium-driver postgresql squid… done \(\d+s\)$/,
    );
  });

  it("shows apt-get's output and exits with its code when a step fails", () => {
    const res = withFakeApt(
      '[[ "$1" == install ]] || exit 0; echo "E: Unable to locate package chromium" >&2; exit 100',
    );
    assert.equal(res.status, 100);
    assert.match(res.stderr, /installing chromium chromium-driver postgresql squid… FAILED \(exit 100\)/);
    assert.match(res.stderr, /E: Unable to locate package chromium/);
    assert.match(res.stderr, /full log: /);
  });

  it('says nothing with --quiet when everything is present', () => {
    const pgBin = mkdtempSync(path.join(os.tmpdir(), 'hg-pgbin-'));
    writeFileSync(path.join(pgBin, 'initdb'), '#!/bin/sh\n');
    chmodSync(path.join(pgBin, 'initdb'), 0o755);
    try {
      const res = withFakeApt('echo "apt-get must not run" >&2; exit 1', {
        HEADERGUARD_CHROMIUM: '/bin/true',
        CHROMEDRIVER_PATH: '/bin/true',
        HEADERGUARD_PG_BIN: pgBin,
        HEADERGUARD_SQUID: '/bin/true',
      });
      assert.equal(res.status, 0, res.stderr);
      assert.equal(res.stdout + res.stderr, '');
    } finally {
      rmSync(pgBin, { recursive: true, force: true });
    }
  });

  it('asks for postgresql alone when only PostgreSQL is missing', () => {
    const res = withFakeApt('exit 0', {
      HEADERGUARD_CHROMIUM: '/bin/true',
      CHROMEDRIVER_PATH: '/bin/true',
      HEADERGUARD_SQUID: '/bin/true',
    });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stderr, /^system packages: installing postgresql… done \(\d+s\)$/m);
  });
});
