import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli.ts';
import { ROOT } from '../support/cli.ts';

// The recipes (examples/ and docs/operations.md) run `npx headerguard <command> --flag…`: every command and flag
// they use must exist in the CLI, so a renamed flag breaks this test rather than a nightly job.

/** One `npx headerguard …` invocation found in a file: where, the subcommand, and the long flags it passes. */
interface Invocation {
  file: string;
  line: number;
  command: string;
  flags: string[];
}

/**
 * Every `npx headerguard <command> …` (or `…/bin/headerguard.js <command> …`) in a text (YAML, Groovy, systemd units, shell in Markdown): backslash
 * continuations joined, cut at a shell operator or comment; flags are `--name` words, including inside
 * `${VAR:+--flag …}`. Line-based on purpose: no YAML parser is a dependency, and the command lines are all it needs.
 */
function invocationsIn(file: string, text: string): Invocation[] {
  const lines = text.split('\n');
  const out: Invocation[] = [];
  for (let i = 0; i < lines.length; i++) {
    // `npx headerguard …`, or the bin itself (`node …/bin/headerguard.js …`, as the serve unit runs it).
    const start = /(?:npx headerguard|bin\/headerguard\.js) /.exec(lines[i]!);
    if (!start) continue;
    let logical = lines[i]!.slice(start.index + start[0].length);
    let j = i;
    while (/\\\s*$/.test(logical) && j + 1 < lines.length)
      logical = `${logical.replace(/\\\s*$/, ' ')}${lines[++j]}`;
    const command = logical.split(/(?:\s|;|&&|\|\||\||\s#|\)|'|"|`)/)[0] ?? '';
    const rest = logical.split(/\s(?:;|&&|\|\||\||#|>)\s|`/)[0]!;
    const flags = [...rest.matchAll(/(?:^|[\s+"'])--([a-z][a-z0-9-]*)/g)].map((m) => `--${m[1]}`);
    out.push({ file, line: i + 1, command, flags });
  }
  return out;
}

/** The long options a subcommand takes (commander's own `--help` included). */
function longFlagsOf(cmd: Command): Set<string> {
  return new Set([...cmd.options.map((o) => o.long).filter((l): l is string => !!l), '--help']);
}

/**
 * What is wrong with an invocation against the program: an unknown command, or a flag the command does not take.
 * `watch` takes `run`'s options as well as its own (`watch … [run options]`, issue 13).
 */
function problemsOf(inv: Invocation, program: Command): string[] {
  const byName = new Map(program.commands.map((c) => [c.name(), c]));
  const cmd = byName.get(inv.command);
  const where = `${path.relative(ROOT, inv.file)}:${inv.line}`;
  if (!cmd) return [`${where}: no command "headerguard ${inv.command}"`];
  const known = longFlagsOf(cmd);
  if (inv.command === 'watch' && byName.get('run'))
    for (const f of longFlagsOf(byName.get('run')!)) known.add(f);
  return inv.flags
    .filter((f) => !known.has(f))
    .map((f) => `${where}: headerguard ${inv.command} has no ${f}`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

const EXAMPLES = path.join(ROOT, 'examples');
const OPERATIONS = path.join(ROOT, 'docs', 'operations.md');
const read = (rel: string) => readFileSync(path.join(EXAMPLES, rel), 'utf8');
const all = (file: string) => invocationsIn(file, readFileSync(file, 'utf8'));

describe('recipes: examples/ and docs/operations.md', () => {
  const program = buildProgram();

  it('the extractor finds commands and flags, and the check names an unknown one', () => {
    const text = [
      'ExecStart=/usr/bin/npx headerguard watch --farm f.json --every 1m \\',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, as the recipes write it
      '  --notify ${URL}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, as the recipes write it
      '  - npx headerguard run --tag nightly ${CH:+--change "$CH"} # --not-a-flag',
      "sh 'npx headerguard run --no-such-flag x && echo --neither'",
      'run: npx headerguard frobnicate --farm x',
      'ExecStart=/usr/bin/node /opt/headerguard/bin/headerguard.js serve --db /var/lib/hg.db',
    ].join('\n');
    const found = invocationsIn(path.join(ROOT, 'x.service'), text);
    assert.deepEqual(
      found.map((f) => [f.line, f.command, f.flags]),
      [
        [1, 'watch', ['--farm', '--every', '--notify']],
        [3, 'run', ['--tag', '--change']],
        [4, 'run', ['--no-such-flag']],
        [5, 'frobnicate', ['--farm']],
        [6, 'serve', ['--db']],
      ],
    );
    assert.deepEqual(problemsOf(found[1]!, program), []);
    assert.deepEqual(problemsOf(found[2]!, program), ['x.service:4: headerguard run has no --no-such-flag']);
    assert.deepEqual(problemsOf(found[3]!, program), ['x.service:5: no command "headerguard frobnicate"']);
  });

  it('every example and the runbook run only commands and flags that exist', () => {
    const files = [...filesUnder(EXAMPLES), OPERATIONS];
    const invocations = files.flatMap(all);
    for (const f of files.filter((f) => !/(README\.md|\.timer)$/.test(f)))
      assert.ok(
        invocations.some((i) => i.file === f),
        `${path.relative(ROOT, f)} runs headerguard`,
      );
    const problems = invocations.flatMap((i) => problemsOf(i, program));
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it('the runbook: pre-maintenance with --save-baseline, watch --every 1m with --notify, post-maintenance with --baseline and --change', () => {
    const inv = all(OPERATIONS);
    const has = (command: string, flags: string[], text: RegExp) =>
      inv.some((i) => {
        const line = readFileSync(OPERATIONS, 'utf8')
          .split('\n')
          .slice(i.line - 1, i.line + 2)
          .join(' ');
        return i.command === command && flags.every((f) => i.flags.includes(f)) && text.test(line);
      });
    assert.ok(has('run', ['--tag', '--save-baseline'], /--tag pre-maintenance/), 'before');
    assert.ok(has('watch', ['--every', '--notify'], /--every 1m/), 'during');
    assert.ok(has('run', ['--tag', '--baseline', '--change'], /--tag post-maintenance/), 'after');
    assert.ok(has('run', ['--tag'], /--tag nightly/), 'the nightly job');
    assert.ok(has('incident', ['--out', '--html'], /incident/), 'the incident record');
  });

  it('GitHub Actions: cron, a self-hosted runner, Allure history as an artifact, the exit code failing the job', () => {
    const wf = read('github-actions/headerguard-nightly.yml');
    assert.match(wf, /^\s+schedule:\n\s+- cron: "[^"]+"/m);
    assert.match(wf, /runs-on: \[self-hosted\b/);
    assert.match(wf, /uses: actions\/upload-artifact@v4\n\s+with:\n\s+name: allure-history/);
    assert.match(wf, /gh run download "\$prev" --name allure-history --dir reports/);
    assert.doesNotMatch(wf, /continue-on-error|\|\| true/, 'the run step is never allowed to fail');
    assert.match(wf, /^\s+run: npx headerguard run .*--tag "\$HG_TAG"/m);
  });

  it('GitLab CI, Jenkins and systemd: each runs headerguard and lets its exit code through', () => {
    const gitlab = read('gitlab-ci/.gitlab-ci.yml');
    assert.match(gitlab, /\$CI_PIPELINE_SOURCE == "schedule"/);
    assert.match(gitlab, /junit: reports\/\*\/junit\.xml/);
    assert.doesNotMatch(gitlab, /allow_failure: true|\|\| true/);
    const jenkins = read('jenkins/Jenkinsfile');
    assert.match(jenkins, /^pipeline \{/m);
    assert.match(jenkins, /triggers \{ cron\('[^']+'\) \}/);
    assert.doesNotMatch(jenkins, /returnStatus|\|\| true|catchError/);
    const watch = read('systemd/headerguard-watch.service');
    assert.match(watch, /^\[Service\][\s\S]*^ExecStart=\/usr\/bin\/npx headerguard watch /m);
    assert.match(watch, /^KillSignal=SIGTERM$/m);
    const timer = read('systemd/headerguard-nightly.timer');
    assert.match(timer, /^OnCalendar=.+$/m);
    assert.match(timer, /^Unit=headerguard-nightly\.service$/m);
    const nightly = read('systemd/headerguard-nightly.service');
    assert.match(nightly, /^Type=oneshot$/m);
    assert.match(nightly, /^ExecStart=\/usr\/bin\/npx headerguard run --farm \S+ --tag nightly /m);
  });
});
