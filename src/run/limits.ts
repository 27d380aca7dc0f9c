import os from 'node:os';
import { UserError } from '../shared/errors.ts';

/** A handset not judged this long after its worker started is broken (`--handset-timeout`). */
export const DEFAULT_HANDSET_TIMEOUT_S = 120;
export const MAX_HANDSET_TIMEOUT_S = 3600;
export const MAX_PARALLEL_LIMIT = 256;

/** What one handset in flight holds: a WDIO worker (~150 MB) and a Chromium with its renderers (~250 MB). */
export const MEMORY_PER_HANDSET = 512 * 1024 * 1024;
/** Left to the launcher (endpoint, simulators, Allure's JVM) and everything else on the machine. */
export const MEMORY_RESERVE = 1024 * 1024 * 1024;

export interface Machine {
  cores: number;
  /** Memory the machine can give without swapping (Linux: MemAvailable). */
  freeBytes: number;
}

export function thisMachine(): Machine {
  return { cores: os.availableParallelism(), freeBytes: os.freemem() };
}

/**
 * Parallel handsets when `--max-parallel` is not given: what the machine can hold.
 *
 *   min(handsets, 2 x cores, floor((free memory - 1 GiB) / 512 MiB)), at least 1
 *
 * Two per core because a handset mostly waits (its page loads through a gateway) and is busy in bursts (worker
 * start, browser start, judging); one per 512 MiB of free memory beyond a 1 GiB reserve because that is what a
 * worker and its browser hold.
 */
export function defaultMaxParallel(handsets: number, machine: Machine = thisMachine()): number {
  const byCpu = 2 * Math.max(1, machine.cores);
  const byMemory = Math.floor((machine.freeBytes - MEMORY_RESERVE) / MEMORY_PER_HANDSET);
  return Math.max(1, Math.min(handsets, byCpu, byMemory));
}

/** `--max-parallel N`: a whole number from 1 to 256. Throws a one-line UserError (exit 2). */
export function parseMaxParallel(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PARALLEL_LIMIT) {
    throw new UserError(
      `--max-parallel must be a whole number from 1 to ${MAX_PARALLEL_LIMIT} (got "${value}")`,
    );
  }
  return n;
}

/** `--handset-timeout SECONDS`: a number of seconds from 1 to 3600. Throws a one-line UserError (exit 2). */
export function parseHandsetTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 1 || n > MAX_HANDSET_TIMEOUT_S) {
    throw new UserError(
      `--handset-timeout must be a number of seconds from 1 to ${MAX_HANDSET_TIMEOUT_S} (got "${value}")`,
    );
  }
  return n;
}
