/**
 * Header values of any size are judged: a value of 8 or 32 MiB (only a scan file can carry one; the capture
 * endpoint caps a header block at 64 KiB) gets its verdict instead of a "Maximum call stack size exceeded".
 * Each shape below once overflowed V8's regular-expression backtrack stack in src/detect or src/shared/mask.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluate } from '../../src/detect/index.ts';
import { maskDigitRuns, maskLongDigitRuns } from '../../src/shared/mask.ts';
import { tempDir } from '../capture/helpers.ts';
import { assertMasked, BROWSER, IDENTITY, IMEI, IMSI, MSISDN, O2, pair } from './helpers.ts';

const MiB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Fillers of `size` characters, each of a shape some pattern repeats over. */
const SHAPES: Record<string, (size: number) => string> = {
  letters: (size) => 'a'.repeat(size),
  'hex digits': (size) => '3a'.repeat(size / 2),
  'digits with separators': (size) => '7 '.repeat(size / 2),
  'base64 alphabet': (size) => 'ab+/1'.repeat(Math.ceil(size / 5)).slice(0, size),
  'percent escapes': (size) => '%41'.repeat(Math.ceil(size / 3)).slice(0, size),
};

function judgeBig(value: string) {
  return evaluate({ policy: O2, identity: IDENTITY, captures: pair([['X-Big', value]]) });
}

describe('detect: header values of any size', function () {
  this.timeout(180_000);

  for (const [shape, make] of Object.entries(SHAPES)) {
    it(`judges an injected 8 MiB value of ${shape}: unexpected-injection, length in the evidence`, () => {
      const value = make(8 * MiB);
      const j = judgeBig(value);
      assert.equal(j.verdict, 'fail');
      const f = j.findings.find((x) => x.rule === 'unexpected-injection' && x.header === 'X-Big');
      assert.ok(f, `no unexpected-injection finding: ${JSON.stringify(j.findings.map((x) => x.rule))}`);
      // The length is there, its digits masked like every digit run in a finding (8388608 → 83****8).
      assert.match(f.evidence, /' \(83\*+8 chars\)$/);
      assert.ok(f.evidence.length < 400, 'evidence is a bounded preview');
    });
  }

  for (const shape of ['hex digits', 'digits with separators']) {
    it(`judges an injected 32 MiB value of ${shape}`, () => {
      const j = judgeBig(SHAPES[shape]!(32 * MiB));
      assert.ok(j.findings.some((x) => x.rule === 'unexpected-injection' && x.header === 'X-Big'));
    });
  }

  it('judges a header the network rewrote with 8 MiB appended or swapped for 8 MiB of tokens', () => {
    const ua = BROWSER.find(([n]) => n === 'User-Agent')![1];
    const base = BROWSER.filter(([n]) => n !== 'User-Agent');
    for (const value of [`${ua} ${'7 '.repeat(4 * MiB)}`, `${'tok; '.repeat(1.6 * MiB)}`]) {
      const [http, https] = pair([], { base });
      http!.headers.push(['User-Agent', value]);
      https!.headers.push(['User-Agent', ua]);
      const j = evaluate({ policy: O2, identity: IDENTITY, captures: [http!, https!] });
      assert.ok(j.findings.some((f) => f.rule === 'unexpected-injection' && f.header === 'User-Agent'));
    }
  });

  it('still finds the known identifiers inside 8 MiB of filler, masked', () => {
    const filler = 'a'.repeat(4 * MiB);
    const b64 = Buffer.from(`msisdn=+${MSISDN}`).toString('base64');
    const j = judgeBig(`${filler};${MSISDN};${filler} ${b64} ${'%37'.repeat(1000)} %2B${MSISDN}`);
    // One finding per identifier kind: the most-decoded form, and the count of the others.
    const values = j.findings.filter((f) => f.rule === 'identity-value');
    assert.equal(values.length, 1);
    assert.ok(values[0]!.detail.encoding.includes('base64'));
    assert.match(values[0]!.evidence, /^MSISDN 4477\*+23 .*\(\+[2-9] other forms\) in the header value$/);
    assertMasked(j.findings, [MSISDN, IMSI, IMEI]);
  });

  it('masks digit runs of any length in free text', () => {
    const run = '4'.repeat(8 * MiB);
    const masked = maskDigitRuns(`a ${run} b`);
    assert.equal(masked.length, run.length + 4);
    assert.ok(!masked.includes('4'.repeat(7)));
    assert.ok(!maskLongDigitRuns(run).includes('4'.repeat(7)));
  });
});

/** `headerguard scan` as a process, on files holding one 8 MiB and one 32 MiB injected value. */
function scan(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/headerguard.js', 'scan', '--json', file], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('headerguard scan: header values of any size', function () {
  this.timeout(240_000);
  const tmp = tempDir();
  after(() => tmp.cleanup());

  for (const mib of [8, 32]) {
    it(`judges a capture with an injected ${mib} MiB value: exit 1, unexpected-injection`, async () => {
      const file = `${tmp.dir}/big-${mib}.json`;
      const captures = pair([['X-Big', '3a'.repeat((mib * MiB) / 2)]]);
      writeFileSync(file, JSON.stringify({ bearer: 'o2', identity: IDENTITY, captures }));
      const r = await scan(file);
      assert.equal(r.stderr, '');
      assert.equal(r.code, 1);
      const out = JSON.parse(r.stdout) as { verdict: string; findings: { rule: string; header: string }[] };
      assert.equal(out.verdict, 'fail');
      assert.ok(out.findings.some((f) => f.rule === 'unexpected-injection' && f.header === 'X-Big'));
      assert.ok(!r.stdout.includes(MSISDN));
    });
  }
});
