import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MAX_SHOWN } from '../../src/farm/farm-problems.ts';
import { FarmError, loadFarm, validateFarm } from '../../src/farm/index.ts';
import { ROOT } from '../support/cli.ts';

const handset = (over: Record<string, unknown> = {}) => ({
  id: 'p1',
  bearer: 'o2',
  emulate: 'Pixel 7',
  proxy: 'sim:o2',
  identity: { msisdn: '447700900123' },
  ...over,
});
const farm = (handsets: unknown[], extra: Record<string, unknown> = {}) => ({
  name: 'f',
  handsets,
  ...extra,
});

function errorOf(raw: unknown, env: Record<string, string> = {}): string {
  try {
    validateFarm(raw, 'farm.json', env);
  } catch (err) {
    assert.ok(err instanceof FarmError, `a FarmError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail('expected the farm to be refused');
}

/** Every problem line of a farm that must be refused (each one line), and the error's message. */
function errorsOf(raw: unknown, env: Record<string, string> = {}): { problems: string[]; message: string } {
  try {
    validateFarm(raw, 'farm.json', env);
  } catch (err) {
    assert.ok(err instanceof FarmError, `a FarmError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    for (const p of err.problems) assert.ok(!p.includes('\n') && p.startsWith('farm farm.json: '), p);
    return { problems: [...err.problems], message: err.message };
  }
  assert.fail('expected the farm to be refused');
}

describe('farm/validate-farm', () => {
  it('accepts a valid farm and resolves policy, identity and proxy', () => {
    const f = validateFarm(farm([handset()]), 'farm.json', {});
    const h = f.handsets[0]!;
    assert.equal(h.policy.id, 'o2');
    assert.equal(h.identity.msisdn, '447700900123');
    assert.deepEqual(h.proxy, { kind: 'sim', bearer: 'o2' });
    assert.equal(h.device, 'Pixel 7');
  });

  it('normalises a national GB number to E.164 digits', () => {
    const f = validateFarm(farm([handset({ identity: { msisdn: '07700 900123' } })]), 'farm.json', {});
    assert.equal(f.handsets[0]!.identity.msisdn, '447700900123');
  });

  it('parses sim faults and gateway proxies', () => {
    const f = validateFarm(
      farm([
        handset({ proxy: 'sim:giffgaff:o2-2012' }),
        handset({ id: 'p2', proxy: 'http://127.0.0.1:3128' }),
      ]),
      'farm.json',
      {},
    );
    assert.deepEqual(f.handsets[0]!.proxy, { kind: 'sim', bearer: 'giffgaff', fault: 'o2-2012' });
    assert.deepEqual(f.handsets[1]!.proxy, { kind: 'gateway', url: 'http://127.0.0.1:3128' });
  });

  it('names an unknown bearer', () => {
    assert.match(
      errorOf(farm([handset({ bearer: 'vodafone' })])),
      /^farm farm\.json: handset "p1": bearer: unknown bearer "vodafone" \(known: o2, giffgaff, tesco\)$/,
    );
  });

  it('names a duplicate id', () => {
    assert.match(errorOf(farm([handset(), handset()])), /handset "p1": duplicate id/);
  });

  it('refuses both emulate and appium', () => {
    assert.match(
      errorOf(farm([handset({ proxy: 'direct', appium: { platformName: 'Android' } })])),
      /handset "p1": has both emulate and appium/,
    );
  });

  it('refuses a proxy on a real (appium) handset, which browses through its own bearer', () => {
    const appium = { platformName: 'Android', browserName: 'Chrome' };
    assert.match(
      errorOf(farm([handset({ emulate: undefined, appium })])),
      /proxy sim:o2 applies to emulate handsets only/,
    );
    const f = validateFarm(
      farm([handset({ emulate: undefined, proxy: undefined, appium })]),
      'farm.json',
      {},
    );
    assert.equal(f.handsets[0]!.proxy.kind, 'direct');
  });

  it('refuses a bad proxy URL', () => {
    assert.match(errorOf(farm([handset({ proxy: 'ftp://x:1' })])), /handset "p1": proxy/);
    assert.match(errorOf(farm([handset({ proxy: 'not a url' })])), /handset "p1": proxy/);
  });

  it('refuses an unknown simulator fault', () => {
    assert.match(errorOf(farm([handset({ proxy: 'sim:o2:meltdown' })])), /handset "p1": proxy: .*meltdown/);
  });

  it('refuses an identity that is not a number, without echoing it whole', () => {
    const msg = errorOf(farm([handset({ identity: { msisdn: '12' } })]));
    assert.match(msg, /handset "p1"/);
    assert.match(msg, /msisdn/);
  });

  it("validates the identity against the handset's resolved bearer: its country and its MCC-MNCs", () => {
    assert.equal(
      errorOf(farm([handset({ identity: { msisdn: '4477009002' } })])),
      'farm farm.json: handset "p1": identity.msisdn: expected a GB mobile number (44…, +44…, 0044… or national 0…), got 4477****02 (8 digits after +44: the wrong length for GB)',
    );
    assert.match(
      errorOf(farm([handset({ identity: { msisdn: '+14155550123' } })])),
      /^farm farm\.json: handset "p1": identity\.msisdn: expected a GB mobile number .*\(a \+1 \(US\) number, not a \+44 one\)$/,
    );
    const lab = { id: 'lab', country: 'US', mccmnc: ['310-260'] };
    const us = handset({
      bearer: 'lab',
      proxy: 'direct',
      identity: { msisdn: '+14155550123', imsi: '310260123456789' },
    });
    const f = validateFarm(farm([us], { bearers: [lab] }), 'farm.json', {});
    assert.deepEqual(f.handsets[0]!.identity, { msisdn: '14155550123', imsi: '310260123456789' });
    assert.match(
      errorOf(farm([handset({ identity: { msisdn: '447700900123', imsi: '310260123456789' } })])),
      /^farm farm\.json: handset "p1": identity\.imsi: expected an IMSI of the bearer's network \(MCC 234 MNC 10\), got 3102\*+89$/,
    );
  });

  it("refuses a sim: proxy whose gateway's country the handset's number is not of", () => {
    const lab = { id: 'lab', country: 'US', mccmnc: ['310-260'] };
    assert.equal(
      errorOf(farm([handset({ bearer: 'lab', identity: { msisdn: '+14155550123' } })], { bearers: [lab] })),
      'farm farm.json: handset "p1": proxy sim:o2 simulates a GB gateway, and identity.msisdn is not a GB mobile number',
    );
  });

  it('reads env:VAR identities and names a missing variable', () => {
    const f = validateFarm(farm([handset({ identity: { msisdn: 'env:HG_MSISDN' } })]), 'farm.json', {
      HG_MSISDN: '447700900124',
    });
    assert.equal(f.handsets[0]!.identity.msisdn, '447700900124');
    assert.match(
      errorOf(farm([handset({ identity: { msisdn: 'env:HG_MISSING' } })])),
      /handset "p1": identity.msisdn: environment variable HG_MISSING is not set/,
    );
  });

  it('names an unknown emulated device, with suggestions', () => {
    assert.match(
      errorOf(farm([handset({ emulate: 'Pixel 77' })])),
      /unknown emulated device "Pixel 77" \(did you mean "Pixel/,
    );
  });

  it('suggests the device a name means but for case and spacing', () => {
    for (const name of ['pixel 7', 'Pixel7', 'PIXEL-7']) {
      assert.equal(
        errorOf(farm([handset({ emulate: name })])),
        `farm farm.json: handset "p1": emulate: unknown emulated device "${name}" (did you mean "Pixel 7"?)`,
      );
    }
    assert.match(errorOf(farm([handset({ emulate: 'iphone14' })])), /\(did you mean "iPhone 14"\?\)$/);
    assert.match(errorOf(farm([handset({ emulate: 'galaxy s9+' })])), /\(did you mean "Galaxy S9\+"\?\)$/);
  });

  it('reports every error of the file at once: a count line, then one line each', () => {
    const { problems, message } = errorsOf(
      farm([
        handset({ emulate: 'pixel 7', identity: { msisdn: '4477009002' } }),
        handset({ id: 'p2', bearer: 5, emulate: 'Pixel7' }),
        handset({
          id: 'p3',
          emulated: 'Pixel 7',
          emulate: undefined,
          identity: { msisdn: '447700900123', imei: '356938035643808' },
        }),
        handset({ id: 'p4', proxy: 'sim:o2:meltdown' }),
      ]),
    );
    assert.deepEqual(
      problems.map((p) =>
        p
          .replace(/^farm farm\.json: /, '')
          .split(':')
          .slice(0, 2)
          .join(':'),
      ),
      [
        'handset "p1": emulate',
        'handset "p1": identity.msisdn',
        'handset "p2": bearer',
        'handset "p2": emulate',
        'handset "p3": emulated',
        'handset "p3": identity.imei',
        'handset "p4": proxy',
      ],
    );
    assert.equal(message, ['farm farm.json: 7 errors', ...problems].join('\n'));
    assert.ok(!/\d{7,}/.test(message), 'identifiers masked');
  });

  it('does not repeat what a reported typo explains (a misspelt key leaves its field missing)', () => {
    const { bearer: _, ...noBearer } = handset();
    const { problems } = errorsOf(farm([{ ...noBearer, bearr: 'o2' }]));
    assert.deepEqual(problems, [
      'farm farm.json: handset "p1": bearr: unknown key "bearr" (known: id, bearer, identity, emulate, proxy, appium, device, grid, apn; did you mean "bearer"?)',
    ]);
  });

  it(`shows at most ${MAX_SHOWN} errors, then how many more`, () => {
    const many = Array.from({ length: MAX_SHOWN + 5 }, (_, i) =>
      handset({ id: `h${i}`, emulate: 'Nokia 3310' }),
    );
    const { problems, message } = errorsOf(farm(many));
    assert.equal(problems.length, MAX_SHOWN + 5);
    const lines = message.split('\n');
    assert.equal(lines[0], `farm farm.json: ${MAX_SHOWN + 5} errors`);
    assert.equal(lines.length, 1 + MAX_SHOWN + 1);
    assert.equal(lines.at(-1), 'farm farm.json: ... and 5 more');
  });

  it('says a number is not the string expected (not that the field is missing)', () => {
    assert.equal(
      errorOf(farm([handset({ identity: { msisdn: 447700900123 } })])),
      'farm farm.json: handset "p1": identity.msisdn: expected a string, got a number',
    );
    assert.equal(
      errorOf({ name: 5, handsets: [handset()] }),
      'farm farm.json: name: expected a string, got a number',
    );
  });

  it('catches typos: unknown fields name the handset', () => {
    assert.match(
      errorOf(farm([handset({ emulated: 'Pixel 7' })])),
      /^farm farm\.json: handset "p1": emulated: unknown key "emulated" \(known: id, bearer, identity, emulate, proxy, appium, device, grid, apn; did you mean "emulate"\?\)$/,
    );
    assert.match(
      errorOf(farm([handset({ identity: { msisnd: '447700900123' } })])),
      /^farm farm\.json: handset "p1": identity\.msisnd: unknown key "msisnd" \(known: msisdn, imsi, imei; did you mean "msisdn"\?\)$/,
    );
    assert.match(
      errorOf(farm([handset()], { grdi: {} })),
      /^farm farm\.json: grdi: unknown key "grdi" \(known: name, grid, capture, bearers, handsets; did you mean "grid"\?\)$/,
    );
  });

  it('names the expected and the received type of a wrong value, and the handset', () => {
    assert.match(
      errorOf(farm([handset({ bearer: 2 })])),
      /^farm farm\.json: handset "p1": bearer: expected a string, got a number$/,
    );
    assert.match(
      errorOf(farm([handset({ id: 7 })])),
      /^farm farm\.json: handsets\[0\]\.id: expected a string, got a number$/,
    );
    assert.match(
      errorOf({ handsets: [handset()] }),
      /^farm farm\.json: name: expected a string, got nothing$/,
    );
  });

  it('a sim proxy needs an MSISDN to enrich with', () => {
    assert.match(errorOf(farm([handset({ identity: {} })])), /needs identity.msisdn/);
  });

  it('inline bearers add policies and validate them', () => {
    const f = validateFarm(
      farm([handset({ bearer: 'lab' })], {
        bearers: [
          {
            id: 'lab',
            name: 'Lab',
            country: 'GB',
            mccmnc: ['234-10'],
            partnerEnrichment: ['x-up-calling-line-id'],
          },
        ],
      }),
      'farm.json',
      {},
    );
    assert.deepEqual(f.handsets[0]!.policy.partnerEnrichment, ['x-up-calling-line-id']);
    assert.match(
      errorOf(farm([handset()], { bearers: [{ id: 'lab', nmae: 'x' }] })),
      /farm farm.json: .*bearers\[0\]/,
    );
  });

  it("reports a bad inline bearer once, not again as its handsets' unknown bearer", () => {
    const { problems } = errorsOf(
      farm([handset({ bearer: 'lab' }), handset({ id: 'p2', identity: { msisdn: '+14155550123' } })], {
        bearers: [{ id: 'lab', country: 'GB', mccmnc: ['234-10'], nmae: 'x' }],
      }),
    );
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0]!, /^farm farm\.json: bearers\[0\].*nmae/);
    assert.match(problems[1]!, /^farm farm\.json: handset "p2": identity\.msisdn: /);
  });

  it('requires at least one handset', () => {
    assert.match(errorOf({ name: 'f', handsets: [] }), /handsets: must list at least one handset/);
  });
});

describe('farm/load-farm', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-farm-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the embedded default farm: a handset per bearer, Android and iPhone, drama-range numbers', async () => {
    const f = await loadFarm('devices/simulated.ts');
    assert.deepEqual(new Set(f.handsets.map((h) => h.bearer)), new Set(['o2', 'giffgaff', 'tesco']));
    assert.ok(f.handsets.some((h) => /iPhone/.test(h.device)));
    assert.ok(f.handsets.some((h) => /Pixel|Galaxy/.test(h.device)));
    for (const h of f.handsets) {
      assert.match(h.identity.msisdn!, /^447700900\d{3}$/);
      assert.equal(h.proxy.kind, 'sim');
      assert.ok(h.policy.partnerEnrichment.length > 0, 'positive control: partner enrichment expected');
    }
  });

  const HANDSET = `{ id: 'p1', bearer: 'o2', emulate: 'Pixel 7', proxy: 'sim:o2', identity: { msisdn: '447700900123' } }`;

  it('loads a TypeScript farm from outside the project (no package.json), importing nothing', async () => {
    assert.ok(!path.resolve(dir).startsWith(ROOT), 'the temp dir is outside the repo');
    const file = path.join(dir, 'lab.ts');
    await writeFile(file, `const name: string = 'lab';\nexport default { name, handsets: [${HANDSET}] };\n`);
    const f = await loadFarm(file);
    assert.equal(f.name, 'lab');
    assert.equal(f.handsets[0]!.identity.msisdn, '447700900123');
  });

  it('loads a TypeScript farm from outside the project that imports defineFarm by absolute path', async () => {
    const file = path.join(dir, 'typed.ts');
    const index = path.join(ROOT, 'src', 'farm', 'index.ts');
    await writeFile(
      file,
      `import { defineFarm } from ${JSON.stringify(index)};\nexport default defineFarm({ name: 'typed', handsets: [${HANDSET}] });\n`,
    );
    assert.equal((await loadFarm(file)).name, 'typed');
  });

  it('loads .mts and .cts farms too', async () => {
    for (const ext of ['mts', 'cts']) {
      const file = path.join(dir, `lab.${ext}`);
      await writeFile(file, `export default { name: '${ext}', handsets: [${HANDSET}] };\n`);
      assert.equal((await loadFarm(file)).name, ext);
    }
  });

  it("names a TypeScript farm's syntax error by file:line:column and message, in one line", async () => {
    const file = path.join(dir, 'broken.ts');
    await writeFile(file, `export default {\n  name: 'broken',\n  handsets: [ { id: 'p1' ,, } ],\n};\n`);
    await assert.rejects(loadFarm(file), (err: unknown) => {
      assert.ok(err instanceof FarmError);
      assert.equal(
        err.message,
        `farm ${file}: cannot load module: syntax error at ${file}:3:26: Expected identifier but found ","`,
      );
      return true;
    });
  });

  it('reports unreadable and malformed files in one line', async () => {
    await assert.rejects(loadFarm(path.join(dir, 'nope.json')), /cannot read file \(no such file\)/);
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{"name": ');
    await assert.rejects(loadFarm(bad), /not valid JSON/);
    await assert.rejects(
      loadFarm(path.join(dir, 'farm.yaml')),
      /must be a \.json, \.ts \(\.mts, \.cts\) or \.js/,
    );
  });
});

describe('farm/validate-farm: a real SIM identity stays out of the farm file', () => {
  const phone = (identity: Record<string, string>) =>
    farm([{ id: 'rack-1', bearer: 'o2', appium: { platformName: 'Android' }, identity }]);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-identity-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('refuses a literal number for a real handset (env:VAR or file:/path), naming neither value', () => {
    const msg = errorOf(phone({ msisdn: '447712345678' }));
    assert.match(
      msg,
      /handset "rack-1": identity\.msisdn: a real handset's identifiers must not be written in the farm file; use env:VAR or file:\/path/,
    );
    assert.ok(!msg.includes('447712345678'));
    assert.match(
      errorOf(phone({ msisdn: 'env:M', imsi: '234100000900123' }), { M: '447712345678' }),
      /identity\.imsi: a real handset/,
    );
  });

  it("accepts a drama-range number written down (nobody's), and env: for the rest", () => {
    const f = validateFarm(phone({ msisdn: '447700900123', imsi: 'env:I' }), 'farm.json', {
      I: '234100000900123',
    });
    assert.equal(f.handsets[0]!.identity.imsi, '234100000900123');
  });

  it('reads file:/path readable by its owner only, trimmed', async () => {
    const file = path.join(dir, 'msisdn');
    await writeFile(file, '447712345678\n', { mode: 0o600 });
    const f = validateFarm(phone({ msisdn: `file:${file}` }), 'farm.json', {});
    assert.equal(f.handsets[0]!.identity.msisdn, '447712345678');
  });

  it('refuses a file open to group or others, a missing file and a relative path, one line each', async () => {
    const open = path.join(dir, 'open');
    await writeFile(open, '447712345678\n', { mode: 0o644 });
    const msg = errorOf(phone({ msisdn: `file:${open}` }));
    assert.match(
      msg,
      /identity\.msisdn: .*open is open to group or others \(mode 644\); make it readable by its owner only \(chmod 600\)/,
    );
    assert.ok(!msg.includes('447712345678'));
    assert.match(
      errorOf(phone({ msisdn: `file:${path.join(dir, 'nope')}` })),
      /identity\.msisdn: cannot read .*nope \(ENOENT\)/,
    );
    assert.match(
      errorOf(phone({ msisdn: 'file:msisdn.txt' })),
      /identity\.msisdn: file:msisdn\.txt must be an absolute path/,
    );
  });

  it('literal identities remain fine for simulated handsets', () => {
    const f = validateFarm(farm([handset({ identity: { msisdn: '447712345678' } })]), 'farm.json', {});
    assert.equal(f.handsets[0]!.identity.msisdn, '447712345678');
  });
});

describe('farm/validate-farm: hubs', () => {
  it('a grid key from env:, and a missing variable named', () => {
    const hub = { hostname: 'hub.lab', port: 4444, key: 'env:HUB_KEY' };
    const f = validateFarm(farm([handset({ grid: hub })], { grid: hub }), 'farm.json', { HUB_KEY: 'k' });
    assert.equal(f.grid!.key, 'k');
    assert.equal(f.handsets[0]!.grid!.key, 'k');
    assert.match(
      errorOf(farm([handset({ grid: hub })])),
      /handset "p1": grid\.key: environment variable HUB_KEY is not set/,
    );
  });

  it('a farm may mix emulated and real handsets', () => {
    const f = validateFarm(
      farm([
        handset(),
        { id: 'real', bearer: 'o2', appium: { platformName: 'Android' }, identity: { msisdn: 'env:M' } },
      ]),
      'farm.json',
      { M: '447712345678' },
    );
    assert.deepEqual(
      f.handsets.map((h) => Boolean(h.appium)),
      [false, true],
    );
  });
});

describe('farm/validate-farm: a deployed endpoint on a private CA, by name', () => {
  let dir: string;
  let pemFile: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-ca-'));
    const { selfSignedFor } = await import('../../src/capture/server/tls-material.ts');
    pemFile = path.join(dir, 'ca.pem');
    await writeFile(pemFile, (await selfSignedFor(['probe.hg.test'])).cert);
    await writeFile(path.join(dir, 'not-a-cert.pem'), 'hello\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const withCapture = (capture: Record<string, unknown>) =>
    farm([handset()], { capture: { url: 'https://probe.hg.test', apiKey: 'k', ...capture } });

  it('reads capture.ca (relative to the farm file): its PEM and the SPKI SHA-256 of each key', async () => {
    const { spkiHash } = await import('../../src/farm/endpoint-trust.ts');
    const f = validateFarm(withCapture({ ca: 'ca.pem' }), path.join(dir, 'farm.json'), {});
    const pem = (await import('node:fs')).readFileSync(pemFile, 'utf8');
    assert.deepEqual(f.capture!.ca!.spki, [spkiHash(pem)]);
    assert.match(f.capture!.ca!.spki[0]!, /^[A-Za-z0-9+/]{43}=$/);
    assert.ok(f.capture!.ca!.pem.includes('BEGIN CERTIFICATE'));
  });

  it('a missing or certificate-less capture.ca is one line', () => {
    assert.match(
      errorOf(withCapture({ ca: path.join(dir, 'nope.pem') })),
      /capture\.ca: cannot read .*nope\.pem \(ENOENT\)/,
    );
    assert.match(
      errorOf(withCapture({ ca: path.join(dir, 'not-a-cert.pem') })),
      /capture\.ca: .*not-a-cert\.pem holds no PEM certificate/,
    );
  });

  it('capture.resolve maps host names to IP addresses, lower-cased; anything else is refused', () => {
    const f = validateFarm(
      withCapture({ resolve: { 'Probe.HG.test': '127.0.0.1' }, partnerHost: 'Partner.hg.test' }),
      'farm.json',
      {},
    );
    assert.deepEqual(f.capture!.resolve, { 'probe.hg.test': '127.0.0.1' });
    assert.equal(f.capture!.partnerHost, 'partner.hg.test');
    assert.match(
      errorOf(withCapture({ resolve: { 'probe.hg.test': 'localhost' } })),
      /capture\.resolve\.probe\.hg\.test: "localhost" is not an IP address/,
    );
  });
});
