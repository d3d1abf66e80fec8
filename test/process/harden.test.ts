/**
 * The built plugin against hostile surroundings (issue #13): absurd numbers from an API, a FIFO in place of a
 * credentials file, a BOM, an unwritable state directory, stale temp files, a clock that was ahead once, and 20 runs
 * started at once.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_PATHS, type Run, type Sandbox, pluginTestBed, runPlugin } from '../support/plugin-harness.js';
import { jsonDocumentV1 } from '../support/json-v1-schema.js';

const { claude: CLAUDE_PATH, codex: CODEX_PATH } = API_PATHS;
const JAN_NOW = '2026-01-02T17:30:00Z';
const CLAUDE_FIXTURE = 'claude/oauth-usage/claude-oauth-usage-real-aim-2026-01.json';
const CODEX_FIXTURE = 'codex/wham-usage/codex-wham-usage-real-aim.json';

const { api, current } = pluginTestBed({ beforeAll, afterAll, beforeEach, afterEach });
let sandbox: Sandbox;
beforeEach(() => {
  sandbox = current();
  api.replies.set(CLAUDE_PATH, { fixture: CLAUDE_FIXTURE });
  api.replies.set(CODEX_PATH, { fixture: CODEX_FIXTURE });
});

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runPlugin(args, sandbox, { ...api.baseUrls, HEADROOM_CODEX: 'api', ...env });
}

function json(result: Run) {
  return jsonDocumentV1.parse(JSON.parse(result.stdout));
}

const requests = (path: string): number => api.received.filter((r) => r.path === path).length;

describe('hostile numbers end to end', () => {
  it('a reset time of 1e13 drops that time, not the run nor the other provider, now and in cached runs', async () => {
    api.replies.set(CODEX_PATH, {
      fixture: CODEX_FIXTURE,
      transform: (body) => {
        const copy = body as { rate_limit: { primary_window: Record<string, unknown> } };
        copy.rate_limit.primary_window.reset_at = 1e13;
        return copy;
      },
    });
    api.replies.set(CLAUDE_PATH, {
      fixture: CLAUDE_FIXTURE,
      transform: (body) => ({
        ...(body as object),
        extra_usage: { is_enabled: true, used_credits: 5, monthly_limit: 9, currency: 'USD', decimal_places: -1 },
      }),
    });
    for (const args of [['--refresh', '--format', 'json'], ['--format', 'json'], [], ['--format', 'xbar']]) {
      const result = await run(args, { HEADROOM_NOW: JAN_NOW });
      expect(result.code).toBe(0);
      expect(result.stderr).not.toMatch(/internal error/);
      if (args.includes('json')) {
        const document = json(result);
        expect(document.providers.map((p) => p.id)).toEqual(['claude', 'codex']);
        expect(document.providers[1]!.windows[0]!.resetsAt).toBeNull();
        expect(document.providers[1]!.message).toMatch(/reset time out of range/);
        expect(document.providers[0]!.money).toEqual([]);
      }
    }
  });
});

describe('odd files', () => {
  it('a FIFO in place of the credentials file is an error state, not a hang', async () => {
    const path = join(sandbox.home, '.claude', '.credentials.json');
    execFileSync('rm', [path]);
    execFileSync('mkfifo', [path]);
    const document = json(await run(['--format', 'json'], { HEADROOM_NOW: JAN_NOW }));
    expect(document.providers[0]).toMatchObject({ id: 'claude', status: 'error' });
    expect(document.providers[1]).toMatchObject({ id: 'codex', status: 'ok' });
  });

  it('a credentials file starting with a UTF-8 byte-order mark is read', async () => {
    const path = join(sandbox.home, '.claude', '.credentials.json');
    writeFileSync(path, `\uFEFF${readFileSync(path, 'utf8')}`);
    const document = json(await run(['--format', 'json'], { HEADROOM_NOW: JAN_NOW }));
    expect(document.providers[0]).toMatchObject({ id: 'claude', status: 'ok' });
  });

  it('removes temp files a killed run left in the state directory, once they are a minute old', async () => {
    const dir = join(sandbox.state, 'headroom');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.0123456789ab.tmp'), '{');
    writeFileSync(join(dir, '.ba9876543210.tmp'), '{');
    writeFileSync(join(dir, 'notes.tmp'), 'mine');
    const old = new Date(Date.now() - 120_000);
    utimesSync(join(dir, '.0123456789ab.tmp'), old, old);
    utimesSync(join(dir, 'notes.tmp'), old, old);
    await run([], { HEADROOM_NOW: JAN_NOW });
    expect(readdirSync(dir).sort()).toEqual([
      '.ba9876543210.tmp',
      'history.jsonl',
      'intl-replay.json',
      'notes.tmp',
      'state.json',
      'usage-entries.bin',
      'usage-index.bin',
    ]);
  });

  it('an unwritable state directory is shown with its fix, and nothing is notified', async () => {
    // A regular file where the state directory's parent should be: no one, not even root, can create it.
    writeFileSync(join(sandbox.dir, 'blocked'), '');
    const unwritable = { XDG_STATE_HOME: join(sandbox.dir, 'blocked', 'state') };
    api.replies.set(CLAUDE_PATH, {
      fixture: CLAUDE_FIXTURE,
      transform: (body) => ({ ...(body as object), five_hour: { utilization: 95, resets_at: '2026-01-02T22:25:00Z' } }),
    });
    const result = await run(['--format', 'json'], { HEADROOM_NOW: JAN_NOW, ...unwritable });
    const document = JSON.parse(result.stdout) as { notices: string[]; alerts: unknown[] };
    expect(document.alerts).toEqual([]);
    expect(document.notices[0]).toMatch(/can't .* state in .*Fix: make that folder writable/);
    const text = await run([], { HEADROOM_NOW: JAN_NOW, ...unwritable });
    expect(text.stdout).toMatch(/! Headroom can't .* state/);
  });
});

describe('clocks', () => {
  it('after one run with a clock a year ahead, polling resumes a minute after the real time', async () => {
    await run(['--refresh'], { HEADROOM_NOW: '2027-01-02T17:30:00Z' });
    expect(requests(CLAUDE_PATH)).toBe(1);
    await run([], { HEADROOM_NOW: JAN_NOW });
    await run([], { HEADROOM_NOW: '2026-01-02T17:31:30Z' });
    expect(requests(CLAUDE_PATH)).toBe(2);
  });
});

describe('overlapping runs', () => {
  it('20 runs started at once make one request per provider, notify once, and all print a valid result', async () => {
    const bin = join(sandbox.dir, 'bin');
    const log = join(sandbox.dir, 'calls.log');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'notify-send'),
      `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(log)}, 'x\\n');\n`,
      { mode: 0o755 },
    );
    api.replies.set(CLAUDE_PATH, {
      fixture: CLAUDE_FIXTURE,
      transform: (body) => ({ ...(body as object), five_hour: { utilization: 92, resets_at: '2026-01-02T22:25:00Z' } }),
    });
    const env = { HEADROOM_NOW: JAN_NOW, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
    const results = await Promise.all(Array.from({ length: 20 }, () => run(['--refresh', '--format', 'json'], env)));
    for (const result of results) {
      expect(result.code).toBe(0);
      expect(json(result).providers.map((p) => p.status)).toEqual(['ok', 'ok']);
    }
    expect(requests(CLAUDE_PATH)).toBe(1);
    expect(requests(CODEX_PATH)).toBe(1);
    expect(results.flatMap((result) => json(result).alerts)).toHaveLength(1);
    expect(existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []).toHaveLength(1);
  });
});
