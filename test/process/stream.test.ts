/**
 * SwiftBar's streamable mode: the built plugin run as `headroom.5m.mjs --stream`, one long-lived process. It prints
 * the menu, then a `~~~` line and a new menu when Codex appends a token_count line to its rollout (fs.watch), and
 * stops cleanly when SwiftBar stops it.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, makeSandbox } from '../support/plugin-harness.js';

const NOW = '2026-11-22T05:00:00Z';
const NOW_S = Date.parse(NOW) / 1000;

let sandbox: Sandbox;
let child: ChildProcessWithoutNullStreams | undefined;
beforeEach(() => {
  sandbox = makeSandbox();
});
afterEach(() => {
  child?.kill('SIGKILL');
  sandbox.cleanup();
});

/** The newest rollout of the fixture home (written by the real Codex CLI 0.169.0). */
function newestRollout(): string {
  const day = join(sandbox.home, '.codex', 'sessions', '2026', '11', '22');
  return join(day, readdirSync(day).sort().at(-1)!);
}

/** A token_count line as Codex 0.169 writes it, with the session window at `percent`. */
function tokenCountLine(percent: number): string {
  return `${JSON.stringify({
    timestamp: '2026-11-22T04:59:30.000Z',
    type: 'event_msg',
    payload: {
      type: 'token_count',
      info: null,
      rate_limits: {
        limit_id: 'codex',
        limit_name: null,
        primary: { used_percent: percent, window_minutes: 300, resets_at: NOW_S + 3 * 3600 },
        secondary: { used_percent: 20.0, window_minutes: 10080, resets_at: NOW_S + 5 * 86400 },
        credits: null,
        plan_type: null,
      },
    },
  })}\n`;
}

function startStream(): { output: () => string; exited: Promise<number | null> } {
  child = spawn(process.execPath, [sandbox.plugin, '--stream'], {
    cwd: sandbox.dir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: sandbox.home,
      XDG_STATE_HOME: sandbox.state,
      XDG_CONFIG_HOME: join(sandbox.dir, 'config'),
      TZ: 'Europe/Berlin',
      LANG: 'en_GB.UTF-8',
      SWIFTBAR: '1',
      HEADROOM_NOW: NOW,
      HEADROOM_CLAUDE: 'off',
      HEADROOM_CODEX: 'logs',
    },
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child!.on('close', (code) => resolve(code)));
  return { output: () => stdout, exited };
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < ms;) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}

describe('the SwiftBar streamable mode (--stream)', () => {
  it('prints a new menu after ~~~ within a second of Codex writing a token_count line', async () => {
    const stream = startStream();
    expect(await until(() => stream.output().includes('Refresh now'), 10_000)).toBe(true);
    const first = stream.output();
    expect(first).not.toContain('~~~');
    expect(first.split('\n')[0]).toMatch(/^X 22%/);
    // Let the watchers settle on the first menu's paths.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const appendedAt = Date.now();
    appendFileSync(newestRollout(), tokenCountLine(57));
    expect(await until(() => /~~~\nX 57%/.test(stream.output()), 2_000)).toBe(true);
    const latency = Date.now() - appendedAt;
    expect(latency).toBeLessThan(1_000);
    const blocks = stream.output().split('~~~\n');
    expect(blocks).toHaveLength(2);
    expect(blocks[1]).toContain('Refresh now');
    child!.kill('SIGTERM');
    expect(await stream.exited).toBe(0);
  }, 20_000);

  it('stays a one-shot run without --stream', async () => {
    const { runPlugin } = await import('../support/plugin-harness.js');
    const result = await runPlugin([], sandbox, {
      SWIFTBAR: '1',
      HEADROOM_NOW: NOW,
      HEADROOM_CLAUDE: 'off',
      HEADROOM_CODEX: 'logs',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('~~~');
  });
});
