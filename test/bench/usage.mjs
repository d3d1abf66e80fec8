// Benchmark: `headroom report daily --json` against ccusage 20.0.24 (`daily --json --offline`) on the same
// generated corpus (test/bench/usage-corpus.mjs, in the CLIs' own line format), side by side in one run:
// - cold: Headroom without its index vs ccusage (both with the corpus in the page cache after a first read);
// - incremental: Headroom with its index after 1 MB of new lines was appended, vs ccusage's full run;
// - peak RSS of each (from /usr/bin/time when present).
// The token totals of both are compared too. Environment: BENCH_USAGE_MB (corpus size, default 1100),
// BENCH_USAGE_RUNS (default 3), BENCH_USAGE_HOME (reuse a corpus there instead of generating one).
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './usage-corpus.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const plugin = join(root, 'dist', 'swiftbar', 'headroom.5m.mjs');
const ccusage = join(root, 'node_modules', '@ccusage', 'ccusage-linux-x64', 'bin', 'ccusage');
const megabytes = Number(process.env.BENCH_USAGE_MB ?? 1100);
const runs = Number(process.env.BENCH_USAGE_RUNS ?? 3);
if ((statSync(ccusage).mode & 0o100) === 0) chmodSync(ccusage, 0o755);

const dir = mkdtempSync(join(tmpdir(), 'headroom-usage-bench-'));
const home = process.env.BENCH_USAGE_HOME ?? join(dir, 'home');
const state = join(dir, 'state');
if (!process.env.BENCH_USAGE_HOME || !existsSync(join(home, '.claude'))) {
  const started = Date.now();
  const made = generateCorpus(home, { megabytes, seed: 42 });
  console.log(
    `corpus: ${(made.bytes / 1e9).toFixed(2)} GB, ${made.files} files, ${made.usageLines} usage lines (${((Date.now() - started) / 1000).toFixed(0)} s to generate)`,
  );
}
const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Runs a command; returns wall seconds, peak RSS in MB (or null) and stdout. */
function run(argv, env) {
  const full = time ? [time, '-f', '%M', ...argv] : argv;
  const started = process.hrtime.bigint();
  const result = spawnSync(full[0], full.slice(1), {
    env: { PATH: process.env.PATH, HOME: home, ...env },
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  const rssLine = time ? result.stderr.trim().split('\n').pop() : '';
  return { seconds, rssMB: time ? Number(rssLine) / 1024 : null, stdout: result.stdout };
}
const headroom = () =>
  run([process.execPath, plugin, 'report', 'daily', '--json', '--timezone', 'UTC'], {
    XDG_STATE_HOME: state,
    XDG_CONFIG_HOME: join(dir, 'config'),
  });
const peer = () => run([ccusage, 'daily', '--json', '--offline', '-z', 'UTC'], {});
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Page cache warm for both.
peer();
const cold = [];
const theirs = [];
let ours;
let their;
for (let i = 0; i < runs; i++) {
  rmSync(state, { recursive: true, force: true });
  const h = headroom();
  const c = peer();
  cold.push(h);
  theirs.push(c);
  ours = JSON.parse(h.stdout);
  their = JSON.parse(c.stdout);
}
const sameTokens = ours.totals.totalTokens === their.totals.totalTokens && ours.daily.length === their.daily.length;

/** When the appended lines are written: the generated corpus's last day. */
const APPEND_AT = Date.UTC(2026, 10, 28, 12);

/** Appends about `bytes` of new usage lines (copies of existing lines with new ids, now-ish) to some sessions. */
function appendLines(bytes, round) {
  const projects = join(home, '.claude', 'projects');
  let left = bytes;
  for (const project of readdirSync(projects)) {
    for (const name of readdirSync(join(projects, project))) {
      if (!name.endsWith('.jsonl') || left <= 0) continue;
      const file = join(projects, project, name);
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-60);
      // New responses as Claude Code appends them: fresh ids, timestamps of now (the corpus's last day).
      const added =
        lines
          .map((line, n) =>
            line
              .replace(/"(msg_01|req_011C)[^"]*"/g, (_, prefix) => `"${prefix}bench${round}x${n}x${left}"`)
              .replace(
                /"timestamp":"[^"]*"/g,
                `"timestamp":"${new Date(APPEND_AT + round * 60_000 + n).toISOString()}"`,
              ),
          )
          .join('\n') + '\n';
      appendFileSync(file, added);
      left -= Buffer.byteLength(added);
    }
  }
}
headroom(); // builds the index
const incremental = [];
for (let i = 0; i < runs; i++) {
  appendLines(1024 * 1024, i);
  incremental.push(headroom());
}
const coldS = median(cold.map((r) => r.seconds));
const peerS = median(theirs.map((r) => r.seconds));
const incS = median(incremental.map((r) => r.seconds));
const fmt = (s) => `${s.toFixed(2)} s`;
const rss = (list) => (list[0].rssMB === null ? 'n/a' : `${Math.max(...list.map((r) => r.rssMB)).toFixed(0)} MB`);
console.log(`usage report, ${runs} runs each, medians (same token totals: ${sameTokens ? 'yes' : 'NO'})`);
console.log(`  ccusage 20.0.24 daily --offline  ${fmt(peerS)}  peak RSS ${rss(theirs)}`);
console.log(
  `  headroom report daily, cold      ${fmt(coldS)}  peak RSS ${rss(cold)}  ratio ${(coldS / peerS).toFixed(2)}`,
);
console.log(
  `  headroom, 1 MB appended          ${fmt(incS)}  peak RSS ${rss(incremental)}  ratio ${((incS / peerS) * 100).toFixed(1)} %`,
);
// The scratch directory (and the corpus, unless it was given in BENCH_USAGE_HOME) goes.
rmSync(dir, { recursive: true, force: true });
