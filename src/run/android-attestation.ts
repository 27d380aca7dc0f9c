/**
 * An Android handset's own view of its connection, read over adb before it browses: a phone with Wi-Fi on, or
 * mobile data off, or a SIM of another network, is not provably on the bearer (fail closed: off-bearer). Only
 * a real phone proves this end to end; tests use a stand-in `adb` on PATH.
 */
import { execFile } from 'node:child_process';
import type { OffBearer } from '../detect/index.ts';
import { canonicalMccMnc } from '../detect/index.ts';
import type { Handset } from '../farm/index.ts';

/** Runs `adb ARGS` and resolves with its standard output (a seam for tests). */
export type Adb = (args: readonly string[]) => Promise<string>;

export const systemAdb: Adb = (args) =>
  new Promise((resolve, reject) => {
    execFile('adb', [...args], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });

/** The phone's udid when the handset is an Android phone on a local Appium (a grid's phones are not ours to ask). */
export function androidUdid(handset: Handset, viaGrid: boolean): string | undefined {
  const caps = handset.appium;
  if (!caps || viaGrid) return undefined;
  const platform = String(caps.platformName ?? caps['appium:platformName'] ?? '').toLowerCase();
  const udid = caps['appium:udid'];
  return platform === 'android' && typeof udid === 'string' && udid !== '' ? udid : undefined;
}

/** What the phone says that puts it off the bearer; empty when it is on a mobile connection of the bearer. */
export async function androidOffBearer(
  udid: string,
  mccmnc: readonly string[],
  adb: Adb = systemAdb,
): Promise<OffBearer[]> {
  const probe = '(device)';
  const read = async (args: string[]) => (await adb(['-s', udid, 'shell', ...args])).trim();
  try {
    const [wifi, data, operator] = await Promise.all([
      read(['settings', 'get', 'global', 'wifi_on']),
      read(['settings', 'get', 'global', 'mobile_data']),
      read(['getprop', 'gsm.sim.operator.numeric']),
    ]);
    const out: OffBearer[] = [];
    if (wifi !== '0') {
      out.push({
        probe,
        header: '(wifi)',
        evidence: `not on the bearer: Wi-Fi is on (wifi_on=${wifi || '?'}); turn it off so traffic can only use the SIM`,
      });
    }
    if (data !== '1') {
      out.push({
        probe,
        header: '(mobile data)',
        evidence: `not on the bearer: mobile data is off (mobile_data=${data || '?'})`,
      });
    }
    // Dual-SIM phones list one code per slot: the bearer's must be among them.
    const codes = operator
      .split(',')
      .map((c) => c.trim())
      .filter((c) => /^\d{5,6}$/.test(c))
      .map(canonicalMccMnc);
    if (!codes.some((c) => mccmnc.includes(c))) {
      out.push({
        probe,
        header: '(SIM)',
        evidence: `not on the bearer: the SIM's network is ${codes.length ? codes.join(', ') : `unknown ('${operator}')`}, the bearer's ${mccmnc.join(', ')}`,
      });
    }
    return out;
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    return [
      {
        probe,
        header: '(adb)',
        evidence: `cannot tell whether the phone is on the bearer: adb -s ${udid}: ${why}`,
      },
    ];
  }
}
