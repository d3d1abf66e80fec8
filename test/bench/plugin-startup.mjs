// Benchmark: the plugin's whole process against a bare `node -e 0` on the same machine, two ways:
// - local only: one SwiftBar refresh with warm state and local sources only (Codex's logs): start node, parse the
//   bundle, read the rollouts, record history, render, save state;
// - refreshing: `--refresh` with both providers' APIs answered by a loopback server replaying captured payloads.
// Runs are interleaved; prints the medians and their ratios to bare node. BENCH_BASELINE=<another build of the
// plugin> (e.g. the previous release's headroom.5m.mjs) times that one too, in the same loop, for a before/after.
// Then the SwiftBar streamable mode (`--stream`, one long-lived process): one update after Codex appends a
// token_count line to its rollout, from the append to the complete new menu (minus the 250 ms throttle that gathers a
// burst of writes), and the CPU time the process spent on it (Linux /proc), against the local-only one-shot run.
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const plugin = join(root, 'dist', 'swiftbar', 'headroom.5m.mjs');
const baseline = process.env.BENCH_BASELINE;
const runs = Number(process.env.BENCH_RUNS ?? 30);
const fixtures = join(root, 'test', 'fixtures');
const bodies = {
  '/api/oauth/usage': readFileSync(join(fixtures, 'claude/oauth-usage/claude-oauth-usage-real-aim-2026-01.json')),
  '/backend-api/wham/usage': readFileSync(join(fixtures, 'codex/wham-usage/codex-wham-usage-real-aim.json')),
};
const server = createServer((request, response) => {
  const body = bodies[(request.url ?? '').split('?')[0]];
  response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{}');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-'));
cpSync(join(fixtures, 'home'), join(dir, 'home'), { recursive: true });
const common = {
  PATH: process.env.PATH,
  HOME: join(dir, 'home'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  SWIFTBAR: '1',
  HEADROOM_NOTIFY: 'off',
  LANG: 'en_US.UTF-8',
};
const local = { ...common, XDG_STATE_HOME: join(dir, 'state'), HEADROOM_CLAUDE: 'off', HEADROOM_CODEX: 'logs' };
const refreshing = {
  ...common,
  XDG_STATE_HOME: join(dir, 'state-refresh'),
  HEADROOM_NOW: '2026-01-02T17:30:00Z',
  HEADROOM_CODEX: 'api',
  HEADROOM_ANTHROPIC_API_URL: base,
  HEADROOM_CHATGPT_API_URL: `${base}/backend-api`,
};

function time(args, env) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve(ms);
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The stream's throttle (swiftbar-plugin/stream.ts). */
const THROTTLE_MS = 250;

/** CPU time (user + system) of a live process so far, ms; null where /proc is missing. */
function cpuMs(pid) {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return null;
  const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Median latency and work time of `count` streamable updates, and the mean CPU time of one. */
async function streamUpdates(count) {
  const env = { ...local, XDG_STATE_HOME: join(dir, 'state-stream') };
  const child = spawn(process.execPath, [plugin, '--stream'], { env, cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const complete = (blocks) => {
    const parts = out.split('~~~\n');
    return parts.length >= blocks && parts[blocks - 1].includes('Refresh now');
  };
  const until = async (check) => {
    for (const started = Date.now(); !check();) {
      if (Date.now() - started > 10_000) throw new Error('the stream printed no new menu');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  try {
    await until(() => complete(1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const day = join(dir, 'home', '.codex', 'sessions', '2026', '11', '22');
    const rollout = join(day, readdirSync(day).sort().at(-1));
    const latencies = [];
    const cpuBefore = cpuMs(child.pid);
    for (let i = 0; i < count; i++) {
      const blocks = out.split('~~~\n').length + 1;
      const nowS = Math.floor(Date.now() / 1000);
      const limits = {
        limit_id: 'codex',
        primary: { used_percent: 10 + (i % 80), window_minutes: 300, resets_at: nowS + 9000 },
        secondary: { used_percent: 40, window_minutes: 10080, resets_at: nowS + 400000 },
      };
      const line = {
        timestamp: new Date().toISOString(),
        type: 'event_msg',
        payload: { type: 'token_count', info: null, rate_limits: limits },
      };
      const start = process.hrtime.bigint();
      appendFileSync(rollout, `${JSON.stringify(line)}\n`);
      await until(() => complete(blocks));
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const cpuAfter = cpuMs(child.pid);
    const latency = median(latencies);
    return {
      latency,
      work: latency - THROTTLE_MS,
      cpu: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / count,
    };
  } finally {
    child.kill('SIGTERM');
  }
}

try {
  await time([plugin], local); // warm the state files and the OS caches
  await time([plugin, '--refresh'], refreshing);
  await time(['-e', '0'], common);
  const baselineLocal = { ...local, XDG_STATE_HOME: join(dir, 'state-baseline') };
  const baselineRefreshing = { ...refreshing, XDG_STATE_HOME: join(dir, 'state-baseline-refresh') };
  if (baseline) {
    await time([baseline], baselineLocal);
    await time([baseline, '--refresh'], baselineRefreshing);
  }
  const bare = [];
  const localRuns = [];
  const refreshRuns = [];
  const baselineRuns = { local: [], refresh: [] };
  for (let i = 0; i < runs; i++) {
    bare.push(await time(['-e', '0'], common));
    localRuns.push(await time([plugin], local));
    refreshRuns.push(await time([plugin, '--refresh'], refreshing));
    if (baseline) {
      baselineRuns.local.push(await time([baseline], baselineLocal));
      baselineRuns.refresh.push(await time([baseline, '--refresh'], baselineRefreshing));
    }
  }
  const b = median(bare);
  const l = median(localRuns);
  const r = median(refreshRuns);
  console.log(`node ${process.version}, ${runs} runs each, interleaved`);
  console.log(`bare node -e 0:                 median ${b.toFixed(1)} ms`);
  console.log(`plugin, local only:             median ${l.toFixed(1)} ms  ratio ${(l / b).toFixed(2)}x`);
  console.log(`plugin --refresh over loopback: median ${r.toFixed(1)} ms  ratio ${(r / b).toFixed(2)}x`);
  if (baseline) {
    const bl = median(baselineRuns.local);
    const br = median(baselineRuns.refresh);
    console.log(`baseline, local only:           median ${bl.toFixed(1)} ms  ratio ${(bl / b).toFixed(2)}x`);
    console.log(`baseline --refresh:             median ${br.toFixed(1)} ms  ratio ${(br / b).toFixed(2)}x`);
  }
  const stream = await streamUpdates(runs);
  console.log(
    `streamable, one update:         median ${stream.work.toFixed(1)} ms  (${stream.latency.toFixed(1)} ms after ` +
      `the write, ${THROTTLE_MS} ms of it the throttle)  ratio ${(stream.work / l).toFixed(2)}x the local one-shot run`,
  );
  if (stream.cpu !== null) console.log(`streamable, CPU per update:     mean ${stream.cpu.toFixed(1)} ms`);
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
