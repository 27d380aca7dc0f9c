/** Run the simulator as a child process (`node bin/headerguard.js sim … --port 0`) and stop it cleanly. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { maskDigitRuns } from '../shared/mask.ts';
import { resolveOptions, type SimulatorOptions } from './options.ts';
import type { RunningSimulator } from './proxy.ts';

const BIN = fileURLToPath(new URL('../../bin/headerguard.js', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
/** The subscriber's identifiers reach the child through its environment, not its argv (visible in `ps`). */
const MSISDN_ENV = 'HEADERGUARD_SIM_MSISDN';
const IMSI_ENV = 'HEADERGUARD_SIM_IMSI';

const LISTENING = /(http:\/\/(?:\[[^\]]+\]|[^\s/:]+):(\d+))/;

function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return maskDigitRuns(lines[lines.length - 1] ?? '').slice(0, 300);
}

export async function startSimulatorProcess(options: SimulatorOptions): Promise<RunningSimulator> {
  const resolved = resolveOptions(options); // bad options fail here, in one line, before any spawn
  const { gateway } = resolved;
  const args = [BIN, 'sim', '--bearer', gateway.bearer, '--msisdn', `env:${MSISDN_ENV}`];
  const env: NodeJS.ProcessEnv = { ...process.env, [MSISDN_ENV]: gateway.msisdn };
  if (gateway.imsi) {
    args.push('--imsi', `env:${IMSI_ENV}`);
    env[IMSI_ENV] = gateway.imsi;
  }
  if (gateway.fault) args.push('--fault', gateway.fault);
  if (gateway.faultFamily) args.push('--family', String(gateway.faultFamily));
  args.push('--port', String(resolved.port), '--host', resolved.host, '--partner-host', gateway.partnerHost);
  if (gateway.mainPort !== undefined) args.push('--main-port', String(gateway.mainPort));
  args.push('--upstream-timeout', String(resolved.upstreamTimeoutMs / 1000));
  if (resolved.egress) args.push('--egress', resolved.egress);
  for (const [host, address] of Object.entries(resolved.resolve ?? {}))
    args.push('--resolve', `${host}=${address}`);
  if (resolved.logLevel) env.HEADERGUARD_LOG_LEVEL = resolved.logLevel;

  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  void exited.then(() => process.off('exit', killOnExit));

  let url: string;
  let port: number;
  try {
    ({ url, port } = await waitForListening(child));
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  child.stderr?.pipe(process.stderr, { end: false });
  child.stdout?.resume();

  let closing: Promise<void> | undefined;
  return {
    port,
    url,
    close() {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(timer);
        }
        child.stderr?.unpipe(process.stderr);
      })();
      return closing;
    },
  };
}

function waitForListening(child: ChildProcess): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      finish(new Error(`simulator process did not report a listening address within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    const onOut = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = LISTENING.exec(out);
      if (m) {
        const url = m[1]!.replace('://0.0.0.0:', '://127.0.0.1:');
        finish(undefined, { url, port: Number(m[2]) });
      }
    };
    const onErr = (chunk: Buffer) => {
      err += chunk.toString('utf8');
      if (err.length > 64 * 1024) err = err.slice(-16 * 1024);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      const why = code !== null ? `code ${code}` : `signal ${signal}`;
      const detail = lastLine(err);
      finish(new Error(`simulator process exited (${why}) before listening${detail ? `: ${detail}` : ''}`));
    };
    const onSpawnError = (e: Error) => finish(new Error(`cannot start the simulator process: ${e.message}`));
    function finish(error: Error | undefined, value?: { url: string; port: number }) {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
      child.off('error', onSpawnError);
      if (error) reject(error);
      else resolve(value!);
    }
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
    child.once('error', onSpawnError);
  });
}
