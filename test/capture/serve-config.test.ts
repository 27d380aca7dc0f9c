import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../src/capture/config/duration.ts';
import { resolveServeConfig, type ServeFlags } from '../../src/capture/config/serve-config.ts';
import { UserError } from '../../src/shared/errors.ts';

function resolve(flags: ServeFlags, env: Record<string, string> = {}, files: Record<string, string> = {}) {
  return resolveServeConfig({
    flags,
    env,
    readFile: (p) => {
      const text = files[p];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return text;
    },
  });
}

function refuses(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UserError, String(err));
    assert.match(err.message, message);
    assert.ok(!err.message.includes('\n'));
    return true;
  });
}

describe('serve settings', () => {
  it('uses the defaults', () => {
    const { options, retentionText, generatedApiKey } = resolve({ apiKey: 'k' });
    assert.deepEqual(options, {
      httpPort: 80,
      altPort: 8080,
      httpsPort: 443,
      bindAddress: '0.0.0.0',
      probeHost: 'probe.localhost',
      partnerHost: 'partner.localhost',
      dbPath: 'headerguard.db',
      apiKey: 'k',
      retentionMs: 24 * 3600_000,
    });
    assert.equal(retentionText, '24h');
    assert.equal(generatedApiKey, false);
  });

  it('names the IPv4 and the IPv6-only probe hosts (--probe-host-v4, --probe-host-v6)', () => {
    const both = resolve({ apiKey: 'k', probeHostV4: 'v4.probe.example', probeHostV6: 'V6.probe.example' });
    assert.equal(both.options.probeHost, 'v4.probe.example');
    assert.equal(both.options.probeHostV6, 'v6.probe.example');
    assert.equal(resolve({ apiKey: 'k', probeHostV6: '[2001:db8::1]' }).options.probeHostV6, '2001:db8::1');
    assert.equal(
      resolve({ apiKey: 'k' }, { HEADERGUARD_PROBE_HOST_V6: 'aaaa.example' }).options.probeHostV6,
      'aaaa.example',
    );
    assert.equal(
      resolve({ apiKey: 'k', probeHost: 'a.example', probeHostV4: 'a.example' }).options.probeHost,
      'a.example',
    );
    refuses(
      () => resolve({ apiKey: 'k', probeHost: 'a.example', probeHostV4: 'b.example' }),
      /^--probe-host and --probe-host-v4 name the same host/,
    );
    refuses(
      () => resolve({ apiKey: 'k', probeHostV6: 'bad host!' }),
      /^--probe-host-v6 must be a host name with only an AAAA record/,
    );
  });

  it('takes flag over environment over config file over default, key by key', () => {
    const files = {
      'c.json': JSON.stringify({ httpPort: 1001, altPort: 1002, httpsPort: 1003, retention: '2h' }),
    };
    const env = {
      HEADERGUARD_HTTP_PORT: '2001',
      HEADERGUARD_ALT_PORT: '2002',
      HEADERGUARD_API_KEY: 'env-key',
    };
    const { options } = resolve({ config: 'c.json', httpPort: '3001' }, env, files);
    assert.equal(options.httpPort, 3001); // flag
    assert.equal(options.altPort, 2002); // env
    assert.equal(options.httpsPort, 1003); // config
    assert.equal(options.retentionMs, 2 * 3600_000); // config
    assert.equal(options.probeHost, 'probe.localhost'); // default
    assert.equal(options.apiKey, 'env-key');
  });

  it('reads the config file named by HEADERGUARD_CONFIG', () => {
    const files = {
      'e.json': JSON.stringify({ apiKey: 'from-file', probeHost: 'Probe.Example.COM', bind: '127.0.0.1' }),
    };
    const { options } = resolve({}, { HEADERGUARD_CONFIG: 'e.json' }, files);
    assert.equal(options.apiKey, 'from-file');
    assert.equal(options.probeHost, 'probe.example.com');
    assert.equal(options.bindAddress, '127.0.0.1');
  });

  it('refuses to start without an API key unless --dev, which generates one', () => {
    refuses(() => resolve({}), /no API key: pass --api-key/);
    // A bad value is named before what is missing (the order a person reads the command).
    refuses(() => resolve({ httpPort: 'abc' }), /^--http-port must be an integer/);
    const dev = resolve({ dev: true });
    assert.equal(dev.generatedApiKey, true);
    assert.match(dev.options.apiKey, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(resolve({ dev: true, apiKey: 'given' }).options.apiKey, 'given');
  });

  it('names the flag and the source of a bad value', () => {
    refuses(
      () => resolve({ apiKey: 'k', httpPort: 'abc' }),
      /^--http-port must be an integer from 0 to 65535.*got "abc"$/,
    );
    refuses(() => resolve({ apiKey: 'k', altPort: '70000' }), /^--alt-port must be/);
    // A port browsers refuse (the Fetch standard's bad ports): no handset could ever reach the endpoint there.
    refuses(
      () => resolve({ apiKey: 'k', httpPort: '10080' }),
      /^--http-port must be an integer from 0 to 65535 that browsers connect to .*got "10080"$/,
    );
    refuses(() => resolve({ apiKey: 'k', httpsPort: '6000' }), /^--https-port .*such as 10080.*got "6000"$/);
    assert.equal(resolve({ apiKey: 'k', httpPort: '10081' }).options.httpPort, 10081);
    refuses(
      () => resolve({ apiKey: 'k' }, { HEADERGUARD_HTTPS_PORT: '-1' }),
      /--https-port .*\(from HEADERGUARD_HTTPS_PORT\)$/,
    );
    refuses(
      () => resolve({ apiKey: 'k', config: 'c.json' }, {}, { 'c.json': '{"httpPort": "eighty"}' }),
      /--http-port .*\(from c\.json, key httpPort\)$/,
    );
    refuses(() => resolve({ apiKey: 'k', retention: '5x' }), /^--retention must be a duration like 24h/);
    refuses(() => resolve({ apiKey: 'k', retention: '30d' }), /at most 7d/);
    refuses(() => resolve({ apiKey: 'k', retention: '0s' }), /--retention/);
    refuses(() => resolve({ apiKey: 'k', probeHost: 'bad host!' }), /^--probe-host must be a host name/);
    refuses(() => resolve({ apiKey: 'k', bind: 'not an address' }), /^--bind/);
  });

  it('never echoes an API key back', () => {
    refuses(
      () => resolve({ apiKey: 'secret with spaces' }),
      /^--api-key must be 1 to 4096 printable characters without spaces$/,
    );
  });

  it('checks the config file: readable, JSON, an object, known keys only', () => {
    refuses(
      () => resolve({ apiKey: 'k', config: 'missing.json' }),
      /--config: cannot read missing\.json \(ENOENT\)/,
    );
    refuses(() => resolve({ apiKey: 'k', config: 'c.json' }, {}, { 'c.json': '{' }), /not valid JSON/);
    refuses(
      () => resolve({ apiKey: 'k', config: 'c.json' }, {}, { 'c.json': '[1]' }),
      /^--config c\.json: \(top level\): expected a JSON object, got an array$/,
    );
    refuses(
      () => resolve({ apiKey: 'k', config: 'c.json' }, {}, { 'c.json': '{"http_port": 1}' }),
      /^--config c\.json: http_port: unknown key "http_port" \(known: httpPort, altPort, .*; did you mean "httpPort"\?\)$/,
    );
  });

  it('reads a TLS pair from files, and wants both or neither', () => {
    const files = { 'c.pem': 'CERT', 'k.pem': 'KEY' };
    const { options } = resolve({ apiKey: 'k', tlsCert: 'c.pem', tlsKey: 'k.pem' }, {}, files);
    assert.equal(options.tlsCert, 'CERT');
    assert.equal(options.tlsKey, 'KEY');
    refuses(() => resolve({ apiKey: 'k', tlsCert: 'c.pem' }, {}, files), /go together/);
    refuses(
      () => resolve({ apiKey: 'k', tlsCert: 'x.pem', tlsKey: 'k.pem' }, {}, files),
      /--tls-cert: cannot read x\.pem/,
    );
  });

  it('parses and prints durations', () => {
    assert.equal(parseDuration('24h'), 86_400_000);
    assert.equal(parseDuration('90m'), 5_400_000);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('2d'), 172_800_000);
    for (const bad of ['', '24', 'h', '1.5h', '-1h', '0m', '1 h', '1H'])
      assert.equal(parseDuration(bad), undefined, bad);
    assert.equal(formatDuration(86_400_000), '24h');
    assert.equal(formatDuration(5_400_000), '90m');
    assert.equal(formatDuration(7 * 86_400_000), '7d');
    assert.equal(formatDuration(1500), '1500ms');
  });
});

describe('serve settings: --metrics-listen', () => {
  it('takes ADDR:PORT from a flag, the environment or the config file', () => {
    assert.deepEqual(resolve({ apiKey: 'k', metricsListen: '127.0.0.1:9464' }).options.metricsListen, {
      host: '127.0.0.1',
      port: 9464,
    });
    assert.deepEqual(
      resolve({ apiKey: 'k' }, { HEADERGUARD_METRICS_LISTEN: '[::1]:0' }).options.metricsListen,
      { host: '::1', port: 0 },
    );
    assert.deepEqual(
      resolve({ apiKey: 'k', config: 'c.json' }, {}, { 'c.json': '{"metricsListen": "10.0.0.5:9100"}' })
        .options.metricsListen,
      { host: '10.0.0.5', port: 9100 },
    );
    assert.equal(resolve({ apiKey: 'k' }).options.metricsListen, undefined, 'none by default');
  });

  it('refuses what is not ADDR:PORT in one line naming the flag and the source', () => {
    for (const bad of ['9464', '127.0.0.1', '127.0.0.1:70000', '::1:9464', '[localhost]:9464', 'a b:1']) {
      refuses(
        () => resolve({ apiKey: 'k', metricsListen: bad }),
        /^--metrics-listen must be ADDR:PORT, e\.g\. 127\.0\.0\.1:9464 or \[::1\]:9464, got "/,
      );
    }
    refuses(
      () => resolve({ apiKey: 'k' }, { HEADERGUARD_METRICS_LISTEN: 'nope' }),
      /\(from HEADERGUARD_METRICS_LISTEN\)$/,
    );
  });
});

describe('serve settings: --api-listen', () => {
  it('takes ADDR:PORT from a flag, the environment or the config file; none by default', () => {
    assert.deepEqual(resolve({ apiKey: 'k', apiListen: '10.0.0.5:8443' }).options.apiListen, {
      host: '10.0.0.5',
      port: 8443,
    });
    assert.deepEqual(resolve({ apiKey: 'k' }, { HEADERGUARD_API_LISTEN: '[::1]:0' }).options.apiListen, {
      host: '::1',
      port: 0,
    });
    assert.deepEqual(
      resolve({ apiKey: 'k', config: 'c.json' }, {}, { 'c.json': '{"apiListen": "127.0.0.1:9443"}' }).options
        .apiListen,
      { host: '127.0.0.1', port: 9443 },
    );
    assert.equal(resolve({ apiKey: 'k' }).options.apiListen, undefined);
  });

  it('refuses what is not ADDR:PORT in one line naming the flag and the source', () => {
    for (const bad of ['8443', '10.0.0.5', '10.0.0.5:70000', '[localhost]:8443']) {
      refuses(
        () => resolve({ apiKey: 'k', apiListen: bad }),
        /^--api-listen must be ADDR:PORT, e\.g\. 10\.0\.0\.5:8443 or \[::1\]:8443, got "/,
      );
    }
    refuses(
      () => resolve({ apiKey: 'k' }, { HEADERGUARD_API_LISTEN: 'nope' }),
      /\(from HEADERGUARD_API_LISTEN\)$/,
    );
  });
});
