/**
 * swiftbar-plugin/scan-threads.ts: when its threads cannot run, a cold scan still reads every file (itself), with the
 * sequential result. (Threads that do run are tested on the built plugin: test/process/usage-report.test.ts.)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { scanUsage } from '../../core/usage/index.js';
import { nodeScanFiles } from '../../swiftbar-plugin/node-ports.js';
import { nodeScanPool } from '../../swiftbar-plugin/scan-threads.js';

const TRANSCRIPT = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'claude',
  'transcripts',
  'claude-code-spotter-tool-heavy.jsonl',
);
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('reads every file itself when the scan threads cannot start', async () => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-threads-'));
  const lines = readFileSync(TRANSCRIPT, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"usage":{'));
  for (let n = 0; n < 80; n++) {
    mkdirSync(join(dir, 'projects', `p${n % 4}`), { recursive: true });
    writeFileSync(join(dir, 'projects', `p${n % 4}`, `f${n}.jsonl`), `${lines[n % lines.length]}\n`);
  }
  const roots = [{ provider: 'claude', account: 'claude', directory: join(dir, 'projects') }];
  const pool = nodeScanPool(new URL(`file://${join(dir, 'no-such-plugin.mjs')}`));
  // On one core there is no pool at all; on more, its threads fail to load the missing file.
  const threaded = await scanUsage(nodeScanFiles, roots, pool ? { pool } : {});
  const plain = await scanUsage(nodeScanFiles, roots);
  expect(threaded.stats.files).toBe(80);
  expect(threaded.stats.filesFromThreads).toBe(0);
  expect(threaded.entries).toEqual(plain.entries);
  expect(threaded.stats.lines).toBe(80);
});
