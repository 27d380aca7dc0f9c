/**
 * `headerguard serve` settings from flags, environment and a JSON config file, in that order of precedence,
 * over the defaults. Every value is checked; a bad one is a one-line UserError naming the flag (and where the
 * value came from), never a stack trace. Secrets (the API key) are never echoed.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { configErrorLine, unknownKey, wrongType } from '../../shared/config-error.ts';
import { describeError, UserError } from '../../shared/errors.ts';
import { browsersConnectTo } from '../../shared/free-port.ts';
import { API_KEY, DEFAULTS, isHostName, MAX_RETENTION_MS } from '../server/options.ts';
import type { CaptureServerOptions } from '../types.ts';
import { formatDuration, parseDuration } from './duration.ts';

/** Flag values as commander hands them over: strings, or undefined when not given. */
export interface ServeFlags {
  httpPort?: string;
  altPort?: string;
  httpsPort?: string;
  tlsCert?: string;
  tlsKey?: string;
  probeHost?: string;
  probeHostV4?: string;
  probeHostV6?: string;
  partnerHost?: string;
  db?: string;
  apiKey?: string;
  retention?: string;
  bind?: string;
  config?: string;
  dev?: boolean;
  metricsListen?: string;
  apiListen?: string;
}

export interface ServeConfig {
  options: Omit<CaptureServerOptions, 'logger'>;
  /** Set when `--dev` generated the API key (it is printed then). */
  generatedApiKey: boolean;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  retentionText: string;
}

type Raw = string | number | boolean | null | object;
type Parser<T> = (raw: Raw) => T | undefined;

interface Setting<T> {
  key: string;
  flag: string;
  env: string;
  parse: Parser<T>;
  /** What a good value looks like, for the error message. */
  expect: string;
  /** Echo a bad value back in the error? Never for secrets. */
  echo: boolean;
}

const asPort: Parser<number> = (raw) => {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
};
/** A listener's port that browsers reach: not one they refuse (10080 and the rest of the Fetch standard's list). */
const asProbePort: Parser<number> = (raw) => {
  const port = asPort(raw);
  return port !== undefined && browsersConnectTo(port) ? port : undefined;
};
const asHost: Parser<string> = (raw) =>
  typeof raw === 'string' && isHostName(raw.trim()) ? raw.trim().toLowerCase() : undefined;
const asPath: Parser<string> = (raw) => (typeof raw === 'string' && raw.trim() !== '' ? raw : undefined);
const asKey: Parser<string> = (raw) => (typeof raw === 'string' && API_KEY.test(raw) ? raw : undefined);
const asRetention: Parser<number> = (raw) => {
  const ms = typeof raw === 'string' ? parseDuration(raw) : undefined;
  return ms !== undefined && ms <= MAX_RETENTION_MS ? ms : undefined;
};

/** `ADDR:PORT` (IPv6 in brackets: `[::1]:9464`) for the metrics listener. */
export const asListenAddress: Parser<{ host: string; port: number }> = (raw) => {
  if (typeof raw !== 'string') return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw.trim());
  if (!m) return undefined;
  const host = (m[1] ?? m[2])!;
  const port = asPort(m[3]!);
  if (port === undefined || !isHostName(host) || (m[1] !== undefined && !host.includes(':')))
    return undefined;
  return { host: host.toLowerCase(), port };
};

const PORT =
  "an integer from 0 to 65535 that browsers connect to (not on the Fetch standard's bad-port list, such as 10080 or 6000); 0 picks a free port";
const HOST = 'a host name or an IP address';

const S = {
  httpPort: {
    key: 'httpPort',
    flag: '--http-port',
    env: 'HEADERGUARD_HTTP_PORT',
    parse: asProbePort,
    expect: PORT,
    echo: true,
  },
  altPort: {
    key: 'altPort',
    flag: '--alt-port',
    env: 'HEADERGUARD_ALT_PORT',
    parse: asProbePort,
    expect: PORT,
    echo: true,
  },
  httpsPort: {
    key: 'httpsPort',
    flag: '--https-port',
    env: 'HEADERGUARD_HTTPS_PORT',
    parse: asProbePort,
    expect: PORT,
    echo: true,
  },
  tlsCert: {
    key: 'tlsCert',
    flag: '--tls-cert',
    env: 'HEADERGUARD_TLS_CERT',
    parse: asPath,
    expect: 'a file path',
    echo: false,
  },
  tlsKey: {
    key: 'tlsKey',
    flag: '--tls-key',
    env: 'HEADERGUARD_TLS_KEY',
    parse: asPath,
    expect: 'a file path',
    echo: false,
  },
  probeHost: {
    key: 'probeHost',
    flag: '--probe-host',
    env: 'HEADERGUARD_PROBE_HOST',
    parse: asHost,
    expect: HOST,
    echo: true,
  },
  probeHostV4: {
    key: 'probeHostV4',
    flag: '--probe-host-v4',
    env: 'HEADERGUARD_PROBE_HOST_V4',
    parse: asHost,
    expect: HOST,
    echo: true,
  },
  probeHostV6: {
    key: 'probeHostV6',
    flag: '--probe-host-v6',
    env: 'HEADERGUARD_PROBE_HOST_V6',
    parse: (raw) => (typeof raw === 'string' ? asHost(raw.trim().replace(/^\[(.*)\]$/, '$1')) : undefined),
    expect: 'a host name with only an AAAA record, or an IPv6 address',
    echo: true,
  },
  partnerHost: {
    key: 'partnerHost',
    flag: '--partner-host',
    env: 'HEADERGUARD_PARTNER_HOST',
    parse: asHost,
    expect: HOST,
    echo: true,
  },
  db: {
    key: 'db',
    flag: '--db',
    env: 'HEADERGUARD_DB',
    parse: asPath,
    expect: 'a file path, :memory: or a postgres:// URL',
    echo: false,
  },
  apiKey: {
    key: 'apiKey',
    flag: '--api-key',
    env: 'HEADERGUARD_API_KEY',
    parse: asKey,
    expect: '1 to 4096 printable characters without spaces',
    echo: false,
  },
  retention: {
    key: 'retention',
    flag: '--retention',
    env: 'HEADERGUARD_RETENTION',
    parse: asRetention,
    expect: `a duration like 24h, 90m or 30s, at most ${formatDuration(MAX_RETENTION_MS)}`,
    echo: true,
  },
  bind: {
    key: 'bind',
    flag: '--bind',
    env: 'HEADERGUARD_BIND',
    parse: asHost,
    expect: 'a local IP address',
    echo: true,
  },
  metricsListen: {
    key: 'metricsListen',
    flag: '--metrics-listen',
    env: 'HEADERGUARD_METRICS_LISTEN',
    parse: asListenAddress,
    expect: 'ADDR:PORT, e.g. 127.0.0.1:9464 or [::1]:9464',
    echo: true,
  },
  apiListen: {
    key: 'apiListen',
    flag: '--api-listen',
    env: 'HEADERGUARD_API_LISTEN',
    parse: asListenAddress,
    expect: 'ADDR:PORT, e.g. 10.0.0.5:8443 or [::1]:8443',
    echo: true,
  },
} satisfies Record<string, Setting<unknown>>;

/** The keys a config file may hold: the flags' names in camelCase. */
export const CONFIG_KEYS: readonly string[] = Object.keys(S);

function shown(raw: Raw): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function readConfigFile(path: string, read: (p: string) => string): Record<string, Raw> {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`--config: cannot read ${path}${code ? ` (${code})` : ''}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserError(`--config: ${path} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(configErrorLine(`--config ${path}`, [], wrongType('a JSON object', parsed)));
  }
  const unknown = Object.keys(parsed).find((k) => !CONFIG_KEYS.includes(k));
  if (unknown !== undefined) {
    throw new UserError(configErrorLine(`--config ${path}`, [unknown], unknownKey(unknown, CONFIG_KEYS)));
  }
  return parsed as Record<string, Raw>;
}

export interface ResolveInputs {
  flags: ServeFlags;
  env?: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
}

/** Resolve every setting: flag > env > config file > default. */
export function resolveServeConfig({ flags, env = process.env, readFile }: ResolveInputs): ServeConfig {
  const read = readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const configPath = flags.config ?? (env.HEADERGUARD_CONFIG || undefined);
  const file = configPath !== undefined ? readConfigFile(configPath, read) : {};

  function pick<T>(setting: Setting<T>): T | undefined {
    const fromFlag = (flags as Record<string, unknown>)[setting.key];
    const sources: [Raw | undefined, string][] = [
      [fromFlag === undefined ? undefined : (fromFlag as Raw), ''],
      [
        env[setting.env] === undefined || env[setting.env] === '' ? undefined : env[setting.env],
        ` (from ${setting.env})`,
      ],
      [file[setting.key], ` (from ${configPath}, key ${setting.key})`],
    ];
    for (const [raw, from] of sources) {
      if (raw === undefined) continue;
      const value = setting.parse(raw);
      if (value === undefined) {
        const got = setting.echo ? `, got ${shown(raw)}` : '';
        throw new UserError(`${setting.flag} must be ${setting.expect}${got}${from}`);
      }
      return value;
    }
    return undefined;
  }

  // Every given value is checked first, in the order a person reads the command; what is missing comes after.
  const httpPort = pick(S.httpPort) ?? 80;
  const altPort = pick(S.altPort) ?? 8080;
  const httpsPort = pick(S.httpsPort) ?? 443;
  const bindAddress = pick(S.bind) ?? DEFAULTS.bindAddress;
  const probeHostFlag = pick(S.probeHost);
  const probeHostV4 = pick(S.probeHostV4);
  if (probeHostFlag !== undefined && probeHostV4 !== undefined && probeHostFlag !== probeHostV4) {
    throw new UserError(
      '--probe-host and --probe-host-v4 name the same host (the IPv4 one): give one of them',
    );
  }
  const probeHost = probeHostV4 ?? probeHostFlag ?? DEFAULTS.probeHost;
  const probeHostV6 = pick(S.probeHostV6);
  const partnerHost = pick(S.partnerHost) ?? DEFAULTS.partnerHost;
  const dbPath = pick(S.db) ?? 'headerguard.db';
  const retentionMs = pick(S.retention) ?? DEFAULTS.retentionMs;
  const tlsCertPath = pick(S.tlsCert);
  const tlsKeyPath = pick(S.tlsKey);
  const metricsListen = pick(S.metricsListen);
  const apiListen = pick(S.apiListen);
  let apiKey = pick(S.apiKey);
  let generatedApiKey = false;
  if (apiKey === undefined) {
    if (!flags.dev) {
      throw new UserError(
        'no API key: pass --api-key KEY or set HEADERGUARD_API_KEY (or use --dev to generate one)',
      );
    }
    apiKey = randomBytes(24).toString('base64url');
    generatedApiKey = true;
  }
  if ((tlsCertPath === undefined) !== (tlsKeyPath === undefined)) {
    throw new UserError('--tls-cert and --tls-key go together: give both or neither');
  }
  const readPem = (flag: string, path: string): string => {
    try {
      return read(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(`${flag}: cannot read ${path}${code ? ` (${code})` : ` (${describeError(err)})`}`);
    }
  };

  const options: Omit<CaptureServerOptions, 'logger'> = {
    httpPort,
    altPort,
    httpsPort,
    bindAddress,
    probeHost,
    ...(probeHostV6 !== undefined ? { probeHostV6 } : {}),
    partnerHost,
    dbPath,
    apiKey,
    retentionMs,
  };
  if (metricsListen !== undefined) options.metricsListen = metricsListen;
  if (apiListen !== undefined) options.apiListen = apiListen;
  if (tlsCertPath !== undefined && tlsKeyPath !== undefined) {
    options.tlsCert = readPem('--tls-cert', tlsCertPath);
    options.tlsKey = readPem('--tls-key', tlsKeyPath);
  }
  const config: ServeConfig = { options, generatedApiKey, retentionText: formatDuration(retentionMs) };
  if (tlsCertPath !== undefined) config.tlsCertPath = tlsCertPath;
  if (tlsKeyPath !== undefined) config.tlsKeyPath = tlsKeyPath;
  return config;
}
