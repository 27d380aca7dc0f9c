import type { Command } from 'commander';
import { normaliseMsisdn } from '../model/identity.ts';
import { UserError } from '../shared/errors.ts';
import { maskIdentifier } from '../shared/mask.ts';
import { watchParent } from '../shared/parent-watch.ts';
import {
  BEARER_PROFILES,
  FAULT_NAMES,
  FAULTS,
  SIM_BEARERS,
  type SimulatorOptions,
  startSimulator,
} from '../simulate/index.ts';
import {
  checkBearer,
  checkFamily,
  checkFault,
  checkPort,
  checkUpstreamTimeoutSeconds,
  parseResolveFlag,
} from '../simulate/options.ts';

interface SimFlags {
  bearer: string;
  msisdn?: string;
  imsi?: string;
  fault?: string;
  family?: string;
  port?: string;
  host?: string;
  partnerHost?: string;
  mainPort?: string;
  upstreamTimeout?: string;
  egress?: string;
  resolve?: Record<string, string>;
}

/** `--msisdn env:VAR` reads the identifier from the environment, so it stays out of the process list. */
function fromEnv(value: string, flag: string): string {
  if (!value.startsWith('env:')) return value;
  const name = value.slice(4);
  const found = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? process.env[name] : undefined;
  if (found === undefined || found === '')
    throw new UserError(`${flag} env:${name}: the variable is not set`);
  return found;
}

function waitForStopSignal(): { stopped: Promise<NodeJS.Signals>; dispose(): void } {
  let onSignal: (s: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (s) => resolve(s);
  });
  // Handlers that others installed at import time (create-wdio, pulled in by @wdio/cli, answers SIGINT with
  // process.exit(1)) would skip our clean stop: set them aside while the simulator runs, restore them after.
  const foreign = {
    SIGINT: process.listeners('SIGINT'),
    SIGTERM: process.listeners('SIGTERM'),
  } as const;
  for (const [sig, list] of Object.entries(foreign)) for (const l of list) process.off(sig, l);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Stop rather than linger as an orphan proxy that still injects a subscriber's number.
  const unwatch = watchParent(() => onSignal('SIGHUP'));
  return {
    stopped,
    dispose() {
      unwatch();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      for (const [sig, list] of Object.entries(foreign)) for (const l of list) process.on(sig, l);
    },
  };
}

/** The faults for `--help`, from their records: what each does and the rules a run through it must fail. */
function faultHelp(): string {
  const indent = ' '.repeat(22);
  const lines = FAULT_NAMES.map(
    (f) => `  ${f.padEnd(19)} ${FAULTS[f].summary}\n${indent}must fail: ${FAULTS[f].trips.join(', ')}`,
  );
  return `\nFaults (docs/simulator.md):\n${lines.join('\n')}\n`;
}

/** `headerguard sim`: one subscriber's carrier gateway on loopback, healthy or replaying a fault. */
export function registerSim(program: Command): Command {
  return (
    program
      .command('sim')
      .description('Run a bearer simulator: an HTTP forward proxy that behaves like a carrier gateway')
      .requiredOption('--bearer <id>', `bearer profile: ${SIM_BEARERS.join(', ')}`)
      // Required, but checked after --bearer (errors in the order a person reads the command).
      .option(
        '--msisdn <number>',
        'subscriber number (required): E.164 (447…, +447…), national 07…, or env:VAR',
      )
      .option('--imsi <digits>', 'subscriber IMSI (sent to the partner host with the number), or env:VAR')
      .option('--fault <name>', `replay a fault: ${FAULT_NAMES.join(', ')}`)
      .option(
        '--family <4|6>',
        'apply the fault to destinations of this IP family only (the other is healthy)',
      )
      .option('--port <port>', 'port to listen on (0 = any free port)', '0')
      .option('--host <address>', 'address to listen on', '127.0.0.1')
      .option('--partner-host <host>', 'host name that gets enrichment (any port)', 'partner.localhost')
      .option('--main-port <port>', "the capture endpoint's main HTTP port (for alt-port-only; default 80)")
      .option(
        '--egress <address>',
        "local address upstream connections leave from (e.g. 127.0.0.2 as the carrier's NAT pool, for attestation)",
      )
      .option(
        '--resolve <host=address>',
        'resolve a host name without DNS (repeatable), e.g. --resolve probe.hg.test=127.0.0.1',
        (value: string, previous?: Record<string, string>) => parseResolveFlag(value, previous),
      )
      .option(
        '--upstream-timeout <seconds>',
        'seconds an upstream may take to connect or answer before the client gets 504 (default 30)',
      )
      .addHelpText('after', faultHelp())
      .action(async (flags: SimFlags) => {
        // Listen for Ctrl-C/SIGTERM from the start, so a stop during startup is clean too.
        const signal = waitForStopSignal();
        try {
          const bearer = checkBearer(flags.bearer);
          if (flags.msisdn === undefined) {
            throw new UserError("--msisdn: required: the simulated subscriber's number (E.164, or env:VAR)");
          }
          const options: SimulatorOptions = {
            bearer,
            msisdn: fromEnv(flags.msisdn, '--msisdn'),
            port: checkPort(flags.port ?? '0', '--port', true),
          };
          if (flags.imsi !== undefined) options.imsi = fromEnv(flags.imsi, '--imsi');
          if (flags.fault !== undefined) options.fault = checkFault(flags.fault);
          if (flags.family !== undefined) options.family = checkFamily(flags.family);
          if (flags.host !== undefined) options.host = flags.host;
          if (flags.partnerHost !== undefined) options.partnerHost = flags.partnerHost;
          if (flags.mainPort !== undefined)
            options.mainPort = checkPort(flags.mainPort, '--main-port', false);
          if (flags.egress !== undefined) options.egress = flags.egress;
          if (flags.resolve !== undefined) options.resolve = flags.resolve;
          if (flags.upstreamTimeout !== undefined) {
            options.upstreamTimeoutMs = checkUpstreamTimeoutSeconds(flags.upstreamTimeout);
          }
          const sim = await startSimulator(options);
          const fault = options.fault
            ? `fault ${options.fault}${options.family ? ` on IPv${options.family} only` : ''}`
            : 'healthy';
          process.stdout.write(
            `headerguard sim: ${options.bearer} gateway (${fault}) for subscriber ` +
              `${maskIdentifier(normaliseMsisdn(options.msisdn, BEARER_PROFILES[options.bearer].country))} ` +
              `listening on ${sim.url}\n`,
          );
          await signal.stopped;
          await sim.close();
        } finally {
          signal.dispose();
        }
      })
  );
}
