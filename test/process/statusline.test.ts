/**
 * `headroom statusline` as Claude Code runs it: the built plugin fed a real status-line capture, then read back by
 * `headroom --format json` with no network request; and its install/uninstall in a Claude Code settings.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MockApi, ROOT, type Run, type Sandbox, makeSandbox, runPlugin } from '../support/plugin-harness.js';

const CAPTURE = join(ROOT, 'test', 'fixtures', 'claude', 'statusline', 'real-cli-claude-statusline-2.json');
const api = new MockApi();
let sandbox: Sandbox;

beforeAll(() => api.start());
afterAll(() => api.stop());
beforeEach(() => {
  sandbox = makeSandbox(false);
  mkdirSync(join(sandbox.home, '.claude'), { recursive: true });
  api.received.length = 0;
});
afterEach(() => sandbox.cleanup());

/** Runs the built plugin with `input` on stdin, as Claude Code runs its status-line command. */
function runWithStdin(args: string[], input: string): Promise<Run> {
  return runPlugin(args, sandbox, api.baseUrls, input);
}

/** The real capture with its reset times moved to 2 h and 3 d from now (the capture's own are in the past). */
function freshCapture(): string {
  const json = JSON.parse(readFileSync(CAPTURE, 'utf8')) as {
    rate_limits: Record<string, { resets_at: number }>;
  };
  const now = Math.floor(Date.now() / 1000);
  json.rate_limits.five_hour!.resets_at = now + 2 * 3600;
  json.rate_limits.seven_day!.resets_at = now + 3 * 86400;
  return JSON.stringify(json);
}

describe('headroom statusline', () => {
  it('prints the limits, and headroom --format json then shows them with no network request', async () => {
    const line = await runWithStdin(['statusline'], freshCapture());
    expect(line.code).toBe(0);
    expect(line.stdout).toMatch(/^5h 37% · 7d 64% · resets \d\d:\d\d\n$/);
    const result = await runPlugin(['--format', 'json'], sandbox, api.baseUrls);
    const claude = (JSON.parse(result.stdout) as { providers: Record<string, unknown>[] }).providers.find(
      (p) => p.id === 'claude',
    );
    expect(claude).toMatchObject({ source: 'statusline', status: 'ok', stale: false });
    expect((claude?.windows as { id: string; usedPercent: number }[]).map((w) => [w.id, w.usedPercent])).toEqual([
      ['session', 37],
      ['weekly', 64],
    ]);
    expect(api.received).toEqual([]);
  });

  it("install keeps the user's command first; uninstall restores settings.json byte for byte", async () => {
    const settings = join(sandbox.home, '.claude', 'settings.json');
    const original = '{\n    "model": "opus",\n    "statusLine": { "type": "command", "command": "echo mine" }\n}';
    writeFileSync(settings, original);
    const installed = await runWithStdin(['statusline', 'install'], '');
    expect(installed.code).toBe(0);
    const written = JSON.parse(readFileSync(settings, 'utf8')) as Record<string, { command: string }>;
    expect(written.model).toBe('opus');
    expect(written.statusLine!.command).toContain(' statusline --config-dir ');
    expect(readFileSync(`${settings}.headroom-backup`, 'utf8')).toBe(original);

    const line = await runWithStdin(['statusline', '--config-dir', join(sandbox.home, '.claude')], freshCapture());
    expect(line.stdout).toMatch(/^mine · 5h 37% · 7d 64% · resets \d\d:\d\d\n$/);

    expect((await runWithStdin(['statusline', 'uninstall'], '')).code).toBe(0);
    expect(readFileSync(settings, 'utf8')).toBe(original);
  });
});
