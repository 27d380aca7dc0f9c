/**
 * `watch`'s memory over thousands of runs: the real loop (state machine, payloads, notifications POSTed to a
 * local receiver, one line per run, pruning a real report dir to --keep) with each run stubbed by a run folder
 * and summary.json written in place of `headerguard run` (a child process in real use, whose memory ends with
 * it). States cycle green -> red (a header joins) -> still red -> broken -> recovered, so every path runs.
 * Compares the watch process's heap and RSS after the first 200 runs (the baseline) with the end.
 * Run: node --expose-gc --import tsx bench/watch-memory.bench.ts [runs]   (default 3000; about 20 s)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readSummary } from '../src/notify/run-facts.ts';
import { notifyAll } from '../src/notify/webhook.ts';
import type { RunRecord } from '../src/watch/child-run.ts';
import { pruneRuns } from '../src/watch/keep.ts';
import { watchLoop } from '../src/watch/loop.ts';

const RUNS = Number(process.argv[2] ?? 3000);
const KEEP = 20;
const gc = (globalThis as { gc?: () => void }).gc;

function handset(id: string, verdict: string, headers: string[]) {
  return {
    id,
    bearer: 'o2',
    verdict,
    failure: verdict === 'broken' ? 'the gateway did not answer' : null,
    findings: headers.map((header) => ({ rule: 'identity-header', header, evidence: '4477******01' })),
  };
}

/** Run n's summary: the cycle of states, 3 handsets. */
function summaryOf(n: number, runId: string) {
  const phase = n % 5;
  const leak =
    phase === 1 ? ['x-up-calling-line-id'] : phase === 2 ? ['x-up-calling-line-id', 'x-msisdn'] : [];
  const handsets =
    phase === 3
      ? [handset('a', 'broken', []), handset('b', 'pass', []), handset('c', 'pass', [])]
      : [
          handset('a', leak.length ? 'fail' : 'pass', leak),
          handset('b', 'pass', []),
          handset('c', 'pass', []),
        ];
  const verdict = phase === 3 ? 'broken' : leak.length ? 'fail' : 'pass';
  const at = new Date(Date.UTC(2026, 11, 2) + n * 60_000).toISOString();
  return {
    runId,
    verdict,
    startedAt: at,
    finishedAt: at,
    farm: 'bench',
    tag: 'nightly',
    change: null,
    handsets,
  };
}

const posts = { n: 0 };
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    posts.n++;
    res.end('ok');
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const webhook = new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook/T0KEN`);
const reportDir = await mkdtemp(path.join(os.tmpdir(), 'hg-watch-bench-'));

const samples: { run: number; heapMB: number; rssMB: number }[] = [];
function sample(run: number): void {
  gc?.();
  const m = process.memoryUsage();
  samples.push({ run, heapMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20 });
}

const started = Date.now();
let lines = 0;
const code = await watchLoop(
  { everyMs: 0, farm: 'bench', stop: new AbortController().signal, maxRuns: RUNS },
  {
    runOnce: async (n): Promise<RunRecord> => {
      if (n === 1 || n % 200 === 0) sample(n);
      const at = new Date(Date.UTC(2026, 11, 2) + n * 60_000);
      const runId = `${at.toISOString().replace(/[:.]/g, '-')}-${n.toString(16).padStart(6, '0')}`;
      const runDir = path.join(reportDir, runId);
      await mkdir(path.join(runDir, 'allure-history'), { recursive: true });
      const s = summaryOf(n, runId);
      await writeFile(path.join(runDir, 'summary.json'), JSON.stringify(s));
      const summary = await readSummary(runDir);
      return {
        exitCode: s.verdict === 'pass' ? 0 : s.verdict === 'fail' ? 1 : 3,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        runDir,
        ...(summary ? { summary } : {}),
      };
    },
    notify: (payload) => notifyAll([webhook], payload),
    prune: () => pruneRuns(reportDir, KEEP),
    print: () => {
      lines++;
    },
  },
);
sample(RUNS);
const seconds = (Date.now() - started) / 1000;
server.close();
await rm(reportDir, { recursive: true, force: true });

const base = samples.find((s) => s.run === 200) ?? samples[0]!;
const end = samples.at(-1)!;
console.log(
  `watch memory: ${RUNS} runs in ${seconds.toFixed(1)} s (${lines} lines, ${posts.n} notifications, exit ${code})${gc ? '' : ' (no --expose-gc: figures include garbage)'}`,
);
for (const s of samples)
  console.log(
    `  run ${String(s.run).padStart(5)}: heap ${s.heapMB.toFixed(1)} MiB, rss ${s.rssMB.toFixed(1)} MiB`,
  );
console.log(
  `  baseline (run ${base.run}) -> end (run ${end.run}): heap ${base.heapMB.toFixed(1)} -> ${end.heapMB.toFixed(1)} MiB (${(end.heapMB - base.heapMB).toFixed(1)}), rss ${base.rssMB.toFixed(1)} -> ${end.rssMB.toFixed(1)} MiB`,
);
