import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIX = 'test/detect/fixtures';
const SECRETS = [
  '447700900123',
  '07700900123',
  '7700900123',
  '234101234567890',
  '356938035643809',
  '447911123456',
];

/** Run `headerguard scan …` (spawned, as a user would) and check it never shows an identifier or a stack. */
function scan(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/headerguard.js', 'scan', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const all = stdout + stderr;
      for (const s of SECRETS) {
        if (all.includes(s)) return reject(new Error(`output shows a whole identifier (${s.length} digits)`));
      }
      if (/\n\s+at /.test(all)) return reject(new Error('stack trace in output'));
      resolve({ code, stdout, stderr });
    });
  });
}

describe('headerguard scan (CLI)', function () {
  this.timeout(60_000);

  it('exits 0 and prints a table for a passing run', async () => {
    const r = await scan(`${FIX}/pass.json`);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /pass\.json: PASS \(no findings\)/);
  });

  it('masks a subscriber number in a file name (captures saved per subscriber), in tables and JSON', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-scan-'));
    try {
      const named = [path.join(dir, '07700900123.json'), path.join(dir, 'sub-447700900123.json')];
      for (const f of named) await copyFile(path.join(ROOT, FIX, 'pass.json'), f);
      // scan() itself rejects any output holding a whole identifier.
      const table = await scan(named[0]!);
      assert.equal(table.code, 0);
      assert.match(table.stdout, /0770\*+23\.json/);
      const json = await scan('--json', ...named);
      assert.deepEqual(
        JSON.parse(json.stdout).map((r: { file: string }) => path.basename(r.file)),
        ['0770*****23.json', 'sub-4477******23.json'],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 3 when the worst of several files is broken, one table each', async () => {
    const r = await scan(`${FIX}/pass.json`, `${FIX}/broken.json`);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /pass\.json: PASS/);
    assert.match(r.stdout, /broken\.json: BROKEN \(1 finding\)\n.*RULE.*\n\s+incomplete\s+minor\s+nav-tls/);
  });

  it('exits 1 on the O2 2012 replay; --json prints exactly {verdict, findings}', async () => {
    const r = await scan('--json', `${FIX}/o2-2012.json`);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['verdict', 'findings']);
    assert.equal(out.verdict, 'fail');
    assert.deepEqual(
      out.findings.map((f: { rule: string }) => f.rule),
      ['identity-header', 'identity-value', 'identity-like-value', 'unexpected-injection'],
    );
    for (const f of out.findings)
      assert.deepEqual(Object.keys(f), ['rule', 'severity', 'probe', 'header', 'evidence']);
  });

  it('with --json and several files prints an array of {file, verdict, findings}; exit 1 over 3 over 0', async () => {
    const files = ['pass', 'broken', 'inline-bearer', 'spoofable'].map((f) => `${FIX}/${f}.json`);
    const r = await scan('--json', ...files);
    assert.equal(r.code, 1);
    const arr = JSON.parse(r.stdout) as { file: string; verdict: string; findings: { rule: string }[] }[];
    assert.deepEqual(
      arr.map((x) => [x.file, x.verdict, x.findings.map((f) => f.rule)]),
      [
        [files[0], 'pass', []],
        [files[1], 'broken', ['incomplete']],
        [files[2], 'fail', ['partner-enrichment-missing']],
        [files[3], 'fail', ['spoofable']],
      ],
    );
  });

  it('exits 2 on bad input with exactly one line naming the file and what is wrong', async () => {
    const r = await scan(`${FIX}/bad-identity.json`);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^headerguard: \S*bad-identity\.json: identity\.msisdn: expected a GB mobile number \(.*\), got 0770\*+67 \(14 digits after \+44: too long for GB\)\n$/,
    );
  });

  const bad: [string, RegExp][] = [
    ['bad-json.txt', /bad-json\.txt: not valid JSON: Unexpected token ','/],
    [
      'bad-policy.json',
      /bad-policy\.json: bearer: allowInjeced: unknown key "allowInjeced" \(known: id, name, .*; did you mean "allowInjected"\?\)/,
    ],
    [
      'unknown-bearer.json',
      /unknown-bearer\.json: bearer: unknown bearer "vodafone-uk" \(known: o2, giffgaff, tesco\)/,
    ],
    [
      'typo-key.json',
      /typo-key\.json: captrues: unknown key "captrues" \(known: bearer, identity, captures, plan, canary; did you mean "captures"\?\)/,
    ],
    ['missing.json', /missing\.json: cannot read: no such file/],
  ];
  it('exits 2 when any file is bad input: one line per bad file, the others still judged', async () => {
    const r = await scan(`${FIX}/o2-2012.json`, ...bad.map(([file]) => `${FIX}/${file}`));
    assert.equal(r.code, 2);
    assert.match(r.stdout, /o2-2012\.json: FAIL \(4 findings\)/);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, bad.length, r.stderr);
    for (const [i, [, pattern]] of bad.entries()) assert.match(lines[i]!, pattern);
  });
});
