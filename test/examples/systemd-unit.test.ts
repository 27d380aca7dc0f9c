/**
 * examples/systemd/headerguard-serve.service: the command it runs is one `headerguard serve` accepts, and the
 * unit keeps the promises docs/capture-endpoint.md makes for it (non-root, port capability, no key on the
 * command line, a restart policy, hardening, the database directory the only writable path).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_KEYS } from '../../src/capture/config/serve-config.ts';
import { buildProgram } from '../../src/cli.ts';
import { ROOT } from '../support/cli.ts';

const UNIT = readFileSync(path.join(ROOT, 'examples', 'systemd', 'headerguard-serve.service'), 'utf8');

/** `Key=value` lines of the unit, continuation lines joined; comments dropped. */
function directives(text: string): Array<[string, string]> {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('['))
    .map((l) => {
      const i = l.indexOf('=');
      return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string];
    });
}

const all = directives(UNIT);
const one = (key: string): string => {
  const values = all.filter(([k]) => k === key).map(([, v]) => v);
  assert.equal(values.length, 1, `one ${key}=`);
  return values[0]!;
};

describe('examples/systemd/headerguard-serve.service', () => {
  const exec = one('ExecStart').split(/\s+/);
  const serveAt = exec.indexOf('serve');

  it('runs headerguard serve with flags the CLI has, each with a value where it takes one', () => {
    assert.match(exec[1]!, /bin\/headerguard\.js$/);
    assert.ok(serveAt > 0, 'the serve subcommand');
    const serve = buildProgram().commands.find((c) => c.name() === 'serve')!;
    const options = new Map(serve.options.map((o) => [o.long, o]));
    const args = exec.slice(serveAt + 1);
    for (let i = 0; i < args.length; i++) {
      const flag = args[i]!;
      assert.match(flag, /^--/, `a flag at ${flag}`);
      const option = options.get(flag);
      assert.ok(option, `serve has ${flag}`);
      if (option.required) {
        const value = args[++i];
        assert.ok(value !== undefined && !value.startsWith('--'), `${flag} has a value`);
      }
    }
  });

  it('keeps the API key off the command line: in the config file serve reads', () => {
    assert.ok(!exec.includes('--api-key'));
    const env = all.filter(([k]) => k === 'Environment').map(([, v]) => v);
    assert.ok(
      env.some((v) => /^HEADERGUARD_CONFIG=\/etc\/\S+\.json$/.test(v)),
      'HEADERGUARD_CONFIG',
    );
    const example = /# \/etc\/headerguard\/serve\.json[^\n]*\n#\s+(\{[^}]*\})/.exec(
      UNIT.replace(/\n#\s+(?=")/g, ' '),
    );
    assert.ok(example, 'an example config file');
    const keys = Object.keys(JSON.parse(example[1]!) as object);
    assert.ok(keys.includes('apiKey'));
    for (const key of keys) assert.ok(CONFIG_KEYS.includes(key), `config key ${key}`);
  });

  it('runs as a non-root user with only the port capability, restarts on failure, and is hardened', () => {
    assert.notEqual(one('User'), 'root');
    assert.equal(one('AmbientCapabilities'), 'CAP_NET_BIND_SERVICE');
    assert.equal(one('CapabilityBoundingSet'), 'CAP_NET_BIND_SERVICE');
    assert.equal(one('Restart'), 'on-failure');
    assert.equal(one('RestartPreventExitStatus'), '2', 'a config error does not restart in a loop');
    assert.match(one('ExecReload'), /kill -HUP \$MAINPID/);
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
    ]) {
      assert.equal(one(key!), value, key);
    }
    const db = exec[exec.indexOf('--db') + 1]!;
    assert.equal(one('ReadWritePaths'), path.dirname(db), 'the database directory is writable');
  });
});
