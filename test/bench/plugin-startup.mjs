// Benchmark: the plugin's whole process (one SwiftBar refresh: start node, parse the bundle, read the local Codex
// logs, render, save state) against a bare `node -e 0` on the same machine. Warm state, local sources only, so no
// network is involved. Prints the medians and their ratio.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const plugin = join(root, 'dist', 'swiftbar', 'headroom.5m.mjs');
const runs = Number(process.env.BENCH_RUNS ?? 30);

const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-'));
cpSync(join(root, 'test', 'fixtures', 'home'), join(dir, 'home'), { recursive: true });
const env = {
  PATH: process.env.PATH,
  HOME: join(dir, 'home'),
  XDG_STATE_HOME: join(dir, 'state'),
  XDG_CONFIG_HOME: join(dir, 'config'),
  SWIFTBAR: '1',
  HEADROOM_CLAUDE: 'off',
  HEADROOM_CODEX: 'logs',
  LANG: 'en_US.UTF-8',
};

function time(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, cwd: dir, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

try {
  time([plugin]); // warm the state file and the OS caches
  time(['-e', '0']);
  const bare = [];
  const full = [];
  for (let i = 0; i < runs; i++) {
    bare.push(time(['-e', '0']));
    full.push(time([plugin]));
  }
  const b = median(bare);
  const p = median(full);
  console.log(`node ${process.version}, ${runs} runs each, interleaved`);
  console.log(`bare node -e 0:       median ${b.toFixed(1)} ms`);
  console.log(`headroom plugin run:  median ${p.toFixed(1)} ms`);
  console.log(`ratio: ${(p / b).toFixed(2)}x bare node`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
