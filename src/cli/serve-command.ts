import type { Command } from 'commander';
import { resolveServeConfig, type ServeFlags } from '../capture/config/serve-config.ts';
import { watchTlsFiles } from '../capture/config/tls-files.ts';
import { origin } from '../capture/plan/probe-plan.ts';
import { maskDbUrl } from '../capture/store/db-location.ts';
import { watchParent } from '../shared/parent-watch.ts';

/**
 * SIGINT, SIGTERM or the parent process going away (`npx` does not pass SIGTERM on: when it is killed, an
 * orphaned endpoint would keep listening), once; `stopped` says which, for the stopping line.
 */
function untilStop(): { stopped: Promise<string>; dispose(): void } {
  let on: (signal: NodeJS.Signals) => void = () => {};
  let unwatch = () => {};
  const dispose = () => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
    unwatch();
  };
  const stopped = new Promise<string>((resolve) => {
    const stop = (why: string) => {
      dispose();
      resolve(why);
    };
    on = (signal) => stop(signal);
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
    unwatch = watchParent(() => stop('parent process gone'));
  });
  return { stopped, dispose };
}

/** `headerguard serve`: the capture endpoint that handsets browse to. */
export function registerServe(program: Command): Command {
  return program
    .command('serve')
    .description(
      'Run the capture endpoint: handsets browse to it; it records their request headers as received.',
    )
    .addHelpText(
      'after',
      [
        '',
        'Every setting can also come from the environment, HEADERGUARD_<FLAG> (HEADERGUARD_HTTP_PORT,',
        'HEADERGUARD_API_KEY, ...), or from --config FILE (HEADERGUARD_CONFIG). Precedence: flag > environment >',
        'config file > default. SIGHUP (or a change of either file) reloads --tls-cert/--tls-key; a pair that',
        'does not load is refused in one line and the current certificate stays. Docs: docs/capture-endpoint.md',
        '',
        'Example:',
        '  headerguard serve --http-port 8081 --alt-port 8082 --https-port 8443 --db /tmp/hg.db --api-key "$KEY"',
      ].join('\n'),
    )
    .option('--http-port <port>', 'main plain-HTTP port, 0 = any free port (default: 80)')
    .option('--alt-port <port>', 'alternate plain-HTTP port (default: 8080)')
    .option('--https-port <port>', 'HTTPS port, HTTP/1.1 and h2 (default: 443)')
    .option('--tls-cert <file>', 'PEM certificate for HTTPS (default: a self-signed one is generated)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option(
      '--probe-host <host>',
      'third-party host name that must receive nothing (default: probe.localhost)',
    )
    .option(
      '--probe-host-v4 <host>',
      'the IPv4 probe host: a name with only an A record (the same as --probe-host)',
    )
    .option(
      '--probe-host-v6 <host>',
      'the IPv6-only probe host: a name with only an AAAA record, or an IPv6 address (default: no IPv6 probes)',
    )
    .option(
      '--partner-host <host>',
      'partner host name that must get enrichment (default: partner.localhost)',
    )
    .option(
      '--db <file|url>',
      'SQLite file for runs and captures, :memory:, or postgres://USER@HOST:PORT/DB shared by several endpoints (default: headerguard.db)',
    )
    .option(
      '--api-key <key>',
      'key the API requires as "Authorization: Bearer <key>" (or HEADERGUARD_API_KEY)',
    )
    .option('--dev', 'generate and print an API key when none is given (local use only)')
    .option(
      '--retention <duration>',
      'how long runs and captures are kept, e.g. 24h, 90m, 30s; at most 7d (default: 24h)',
    )
    .option('--bind <address>', 'address to listen on (default: 0.0.0.0)')
    .option(
      '--metrics-listen <addr:port>',
      'also serve GET /metrics without the API key on this address only, e.g. 127.0.0.1:9464',
    )
    .option(
      '--api-listen <addr:port>',
      'serve the API (/api, /metrics with the key, /healthz) over HTTPS on this address only, and not on the probe ports, e.g. 10.0.0.5:8443',
    )
    .option('--config <file>', 'JSON file with the same settings in camelCase, e.g. {"httpPort": 8081}')
    .action(async (flags: ServeFlags) => {
      const stop = untilStop(); // from the start, so a stop during start-up is not missed
      try {
        await serve(flags, stop.stopped);
      } finally {
        stop.dispose();
      }
    });
}

/** Start the endpoint, print where it listens, and run until `stopped`. */
async function serve(flags: ServeFlags, stopped: Promise<string>): Promise<void> {
  const config = resolveServeConfig({ flags });
  const o = config.options;
  // Loaded here, not at the top: the server (SQLite, certificate generation) costs every other subcommand
  // ~150 ms of start-up, `run --farm` included, before its farm is even read.
  const { startCaptureServer } = await import('../capture/index.ts');
  const server = await startCaptureServer(o);
  const bind = o.bindAddress ?? '0.0.0.0';
  const hostAndPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const at = (port: number) => hostAndPort(bind, port);
  const { main, alt, https } = server.ports;
  const lines = [
    'headerguard serve: capture endpoint ready',
    `  main    ${origin(false, o.probeHost, main)}/  (listening on ${at(main)})`,
    `  alt     ${origin(false, o.probeHost, alt)}/  (listening on ${at(alt)})`,
    `  https   ${origin(true, o.probeHost, https)}/  (listening on ${at(https)}, h2 and HTTP/1.1, ${
      server.selfSignedCertificate ? 'self-signed certificate' : `certificate ${config.tlsCertPath}`
    })`,
    ...(o.probeHostV6 !== undefined
      ? [`  ipv6    ${origin(false, o.probeHostV6, main)}/  (the IPv6 probes; AAAA record only)`]
      : []),
    `  partner ${origin(false, o.partnerHost, main)}/`,
    `  me      ${origin(false, o.probeHost, main)}/me`,
    `  api     ${server.apiBaseUrl}/api  (Authorization: Bearer <key>${
      o.apiListen ? `; listening on ${hostAndPort(o.apiListen.host, server.apiPort ?? 0)} only, HTTPS` : ''
    })`,
    `  health  ${server.apiBaseUrl}/healthz`,
    `  store   ${maskDbUrl(o.dbPath)}  (runs expire after ${config.retentionText})`,
  ];
  if (config.generatedApiKey) lines.push(`  api key ${o.apiKey}  (generated by --dev; not for production)`);
  if (o.metricsListen && server.metricsPort !== undefined) {
    lines.push(`  metrics http://${hostAndPort(o.metricsListen.host, server.metricsPort)}/metrics  (no key)`);
  }
  lines.push('Ctrl-C stops it.');
  process.stdout.write(`${lines.join('\n')}\n`);
  if (o.apiKey.length < 16) {
    process.stderr.write('headerguard: warning: the API key is shorter than 16 characters\n');
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  const tls =
    config.tlsCertPath !== undefined && config.tlsKeyPath !== undefined
      ? watchTlsFiles(
          { certPath: config.tlsCertPath, keyPath: config.tlsKeyPath },
          { apply: (cert, key) => server.reloadTls(cert, key), say, warn },
        )
      : undefined;
  // Installed in every case: SIGHUP's default would end the endpoint.
  const onHup = () =>
    tls ? tls.reload('SIGHUP') : say('headerguard serve: SIGHUP: no --tls-cert/--tls-key to reload');
  process.on('SIGHUP', onHup);
  try {
    const why = await stopped;
    process.stdout.write(`headerguard serve: ${why}, stopping\n`);
  } finally {
    process.off('SIGHUP', onHup);
    tls?.stop();
  }
  await server.close();
}
