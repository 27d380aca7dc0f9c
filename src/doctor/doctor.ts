/**
 * `headerguard doctor`: the preflight a person runs before a run. Every check is a small function returning
 * ok or the problem and what to do (doctor-check.ts); this module only decides which apply to the farm and
 * runs them, printing each line as it comes.
 */
import path from 'node:path';
import { CaptureClient, startLocalCaptureServer } from '../capture/index.ts';
import { type Farm, FarmError, loadFarm } from '../farm/index.ts';
import type { Adb } from '../run/android-attestation.ts';
import { PARTNER_HOST, PROBE_HOST } from '../run/infrastructure.ts';
import { PROJECT_ROOT } from '../run/session.ts';
import { CHROMEDRIVER, CHROMIUM } from '../shared/chromium.ts';
import { describeError } from '../shared/errors.ts';
import { createLogger } from '../shared/logger.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { badConfig, type CheckResult, formatCheck, missing, ok } from './doctor-check.ts';
import {
  checkAccess,
  checkCertificate,
  checkNothingInFront,
  checkResolves,
  hostsOf,
} from './endpoint-checks.ts';
import { checkAndroidPhones, checkGrid, gridsOf } from './farm-checks.ts';
import {
  automationNameOf,
  checkAppium,
  checkBrowser,
  checkJava,
  type Exec,
  noAutomationName,
  systemExec,
} from './tool-checks.ts';

export interface DoctorOptions {
  farmPath: string;
  env?: NodeJS.ProcessEnv;
  /** Each line as soon as its check is done. */
  print?: (line: string) => void;
  chromium?: string;
  chromedriver?: string;
  appiumHome?: string;
  appiumBin?: string;
  exec?: Exec;
  adb?: Adb;
}

/** Run every check that applies; resolves with all their results (the exit code is doctorExit's). */
export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const emit = (rs: CheckResult | readonly CheckResult[]) => {
    for (const r of Array.isArray(rs) ? rs : [rs as CheckResult]) {
      results.push(r);
      options.print?.(formatCheck(r));
    }
  };
  const exec = options.exec ?? systemExec;
  const farm = await loadChecked(options.farmPath, options.env ?? process.env, emit);
  emit(await checkBrowser(options.chromium ?? CHROMIUM, options.chromedriver ?? CHROMEDRIVER, exec));
  emit(await checkJava(exec));
  if (!farm) return results;
  emit(await checkEndpoint(farm));
  // Real handsets on no hub use the run's local Appium server; every hub is asked about the handsets on it.
  const localAppium = farm.handsets.filter((h) => h.appium && !h.grid);
  if (localAppium.length) {
    const names: string[] = [];
    for (const h of localAppium) {
      const name = automationNameOf(h.appium!);
      if (name) names.push(name);
      else emit(noAutomationName(h.id));
    }
    const home = options.appiumHome ?? options.env?.APPIUM_HOME ?? path.join(PROJECT_ROOT, '.appium');
    const bin = options.appiumBin ?? path.join(PROJECT_ROOT, 'node_modules', 'appium', 'index.js');
    emit(await checkAppium(names, home, bin, exec));
  }
  for (const { grid, handsets } of gridsOf(farm)) emit(await checkGrid(grid, handsets));
  emit(await checkAndroidPhones(farm, ...(options.adb ? [options.adb] : [])));
  return results;
}

/** The farm loads; a bad one is every problem at once, a line each (exit 2). */
async function loadChecked(
  farmPath: string,
  env: NodeJS.ProcessEnv,
  emit: (r: CheckResult | readonly CheckResult[]) => void,
): Promise<Farm | undefined> {
  try {
    const farm = await loadFarm(farmPath, env);
    emit(ok(`farm ${farmPath}`, `${farm.handsets.length} handset(s)`));
    return farm;
  } catch (err) {
    const lines = err instanceof FarmError ? err.problems : [describeError(err)];
    emit(
      lines.map((line) =>
        badConfig('farm', maskDigitRuns(line.replace(/^farm /, '')), 'fix the farm file (docs/farms.md)'),
      ),
    );
    return undefined;
  }
}

/** The deployed endpoint the farm names, or the embedded one the run would start (started here, then stopped). */
async function checkEndpoint(farm: Farm): Promise<CheckResult[]> {
  const bearer = farm.handsets[0]?.bearer ?? 'o2';
  if (farm.capture) {
    const { url, apiKey, acceptInsecureCerts } = farm.capture;
    const client = new CaptureClient(url, apiKey, { timeoutMs: 5000 });
    const access = await checkAccess(client, url);
    if (access.some((r) => !r.ok)) return access;
    let run: Awaited<ReturnType<CaptureClient['createRun']>>;
    try {
      run = await client.createRun({ handset: 'doctor', bearer });
      await client.deleteRun(run.token).catch(() => {});
    } catch (err) {
      return [...access, missing('capture run created', describeError(err), "check the endpoint's logs")];
    }
    const { probe, partner, httpsPort } = hostsOf(run);
    const hosts = [probe.hostname, partner.hostname];
    const certificates = acceptInsecureCerts
      ? hosts.map((h) => ok(`certificate valid for ${h}`, 'not checked: capture.acceptInsecureCerts is set'))
      : await Promise.all(hosts.map((h) => checkCertificate(h, httpsPort)));
    return [
      ...access,
      ...(await checkResolves(hosts)),
      ...certificates,
      await checkNothingInFront(client, bearer),
    ];
  }
  let server: Awaited<ReturnType<typeof startLocalCaptureServer>>;
  try {
    server = await startLocalCaptureServer({
      probeHost: PROBE_HOST,
      partnerHost: PARTNER_HOST,
      logger: createLogger('capture', 'silent'),
    });
  } catch (err) {
    return [
      missing('embedded capture endpoint starts', describeError(err), 'free a loopback port, check the disk'),
    ];
  }
  try {
    const client = new CaptureClient(server.apiBaseUrl, server.apiKey, { timeoutMs: 5000 });
    return [
      ok('embedded capture endpoint starts', 'the run starts its own on loopback'),
      await checkNothingInFront(client, bearer),
    ];
  } finally {
    await server.close();
  }
}
