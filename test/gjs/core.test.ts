// Core runs unchanged under gjs: zod/mini validation, the Claude usage parser and presentMenu's Intl formatting give
// what they give under Node.
import { DEFAULT_ALERT_SETTINGS } from '../../core/alert-settings.js';
import { evaluateAlerts, emptyAlertMemory } from '../../core/alerts.js';
import GLib from 'gi://GLib';
import type { ProviderSnapshot } from '../../core/model.js';
import { presentMenu } from '../../core/present.js';
import { parseClaudeUsage } from '../../core/providers/claude.js';
import { PROVIDERS } from '../../core/providers/index.js';
import { resolveSettings } from '../../core/settings.js';
import { DEFAULT_TELEMETRY_SETTINGS } from '../../core/telemetry/settings.js';
import { equal, ok, repoPath, run, test } from './assert.js';

const NOW = Date.parse('2025-12-25T09:45:00Z');

function readFixture(path: string): unknown {
  return JSON.parse(new TextDecoder().decode(GLib.file_get_contents(repoPath(`test/fixtures/${path}`))[1]));
}

function claudeWindows() {
  const usage = parseClaudeUsage(readFixture('claude/oauth-usage/claude-oauth-usage-basic.json'));
  ok(usage.ok, JSON.stringify(usage));
  return usage.windows;
}

function menu(locale: string) {
  const { settings } = resolveSettings({ title: ['claude.session', 'codex.max'] }, () => undefined);
  const snapshots: ProviderSnapshot[] = [
    {
      provider: 'claude',
      account: { id: 'default', key: 'claude', label: '~/.claude' },
      source: 'api',
      status: 'ok',
      message: '',
      fix: '',
      stale: false,
      plan: 'Max 20x',
      fetchedAt: NOW - 60_000,
      retryAt: null,
      windows: claudeWindows(),
      money: [
        {
          id: 'extra-usage',
          label: 'Extra usage',
          usedMinor: 1234,
          limitMinor: 5000,
          balanceMinor: null,
          currency: 'EUR',
          exponent: 2,
          unlimited: false,
        },
      ],
    },
    {
      provider: 'codex',
      account: { id: 'default', key: 'codex', label: '~/.codex' },
      source: null,
      status: 'rate-limited',
      message: 'ChatGPT is rate-limiting usage requests.',
      fix: 'Headroom waits and retries by itself.',
      stale: false,
      plan: null,
      fetchedAt: null,
      retryAt: NOW + 20 * 60_000,
      windows: [],
      money: [],
    },
  ];
  return presentMenu(snapshots, PROVIDERS, settings, { now: NOW, locale, timeZone: 'Europe/Berlin' });
}

test('resolveSettings validates with zod/mini', () => {
  const file = {
    providers: { codex: { source: 'logs' } },
    display: 'remaining',
    title: ['claude.max'],
    locale: 'de-DE',
    telemetry: { url: 'http://prometheus:9090/', range: '7d', auth: { type: 'bearer' } },
  };
  equal(
    resolveSettings(file, () => undefined),
    {
      settings: {
        providers: {
          claude: { enabled: true, source: 'auto', directories: [], labels: {} },
          codex: { enabled: true, source: 'logs', directories: [], labels: {} },
          gemini: { enabled: true, source: 'auto', directories: [], labels: {} },
        },
        display: 'remaining',
        title: ['claude.max'],
        titlePace: false,
        minFetchIntervalSeconds: 60,
        locale: 'de-DE',
        alerts: { ...DEFAULT_ALERT_SETTINGS, display: 'remaining' },
        telemetry: {
          ...DEFAULT_TELEMETRY_SETTINGS,
          url: 'http://prometheus:9090',
          range: '7d',
          auth: { type: 'bearer' },
        },
      },
      problems: [],
    },
  );
  const env: Record<string, string> = { HEADROOM_CODEX: 'off', HEADROOM_LOCALE: 'not a locale!' };
  const bad = resolveSettings({ providers: { claude: { source: 'logs' } }, display: 'sideways' }, (name) => env[name]);
  // zod's issue paths name the bad keys (the wording is core's and tested under Node).
  for (const key of ['display', 'providers.claude.source', 'not a locale!']) {
    ok(
      bad.problems.some((problem) => problem.includes(key)),
      `no problem names ${key}: ${JSON.stringify(bad.problems)}`,
    );
  }
  equal(bad.settings.providers.codex.enabled, false);
  equal(bad.settings.display, 'used');
});

test('parseClaudeUsage reads the basic fixture', () => {
  equal(claudeWindows(), [
    { id: 'session', label: 'Session (5 h)', usedPercent: 12.5, resetsAt: 1766664000000, windowMinutes: 300 },
    { id: 'weekly', label: 'Weekly', usedPercent: 30, resetsAt: 1767139200000, windowMinutes: 10080 },
    { id: 'weekly-sonnet', label: 'Weekly · Sonnet', usedPercent: 5, resetsAt: null, windowMinutes: 10080 },
  ]);
  equal(parseClaudeUsage([]).ok, false);
});

test('presentMenu in en-GB', () => {
  const view = menu('en-GB');
  const [claude, codex] = view.providers;
  equal(view.title, 'C 13% · X –');
  equal(claude?.sourceText, 'via OAuth API · updated 10:44');
  equal(
    claude?.windows.map((window) => window.resetText),
    ['resets in 2 h 15 min (13:00)', 'resets in 5 d 14 h (Wed 01:00)', null],
  );
  equal(claude?.money[0]?.text, '€12.34 of €50.00 (25%)');
  equal(codex?.statusText, 'Rate-limited: ChatGPT is rate-limiting usage requests. Next try after 11:05.');
});

test('presentMenu in de-DE (no-break spaces, German weekday and currency)', () => {
  const view = menu('de-DE');
  equal(view.title, 'C 13\u00a0% · X –');
  equal(view.providers[0]?.windows[1]?.resetText, 'resets in 5 d 14 h (Mi., 01:00)');
  equal(view.providers[0]?.money[0]?.text, '12,34\u00a0€ of 50,00\u00a0€ (25\u00a0%)');
});

test('presentMenu in en-US (12-hour clock; ICU versions differ in the space before PM)', () => {
  const view = menu('en-US');
  const spaced = (text: string | null | undefined) => text?.replace(/[\u202f\u00a0]/g, ' ');
  equal(spaced(view.providers[0]?.windows[0]?.resetText), 'resets in 2 h 15 min (1:00 PM)');
  equal(
    spaced(view.providers[1]?.statusText),
    'Rate-limited: ChatGPT is rate-limiting usage requests. Next try after 11:05 AM.',
  );
});

test('evaluateAlerts notifies a crossing once under gjs', () => {
  const now = Date.UTC(2026, 10, 22, 5, 0, 0);
  const snapshot = (usedPercent: number) => ({
    provider: 'claude' as const,
    account: { id: 'default', key: 'claude', label: '~/.claude' },
    source: 'api' as const,
    status: 'ok' as const,
    message: '',
    fix: '',
    stale: false,
    plan: null,
    fetchedAt: now,
    retryAt: null,
    windows: [
      { id: 'session', label: 'Session (5 h)', usedPercent, resetsAt: now + 4.8 * 3_600_000, windowMinutes: 300 },
    ],
    money: [],
  });
  const context = {
    names: { claude: 'Claude', codex: 'Codex' },
    usageUrls: { claude: 'https://claude.ai/settings/usage', codex: 'https://chatgpt.com/codex/settings/usage' },
    locale: { locale: 'en-GB', timeZone: 'UTC' },
  };
  const first = evaluateAlerts(emptyAlertMemory(), [snapshot(70)], DEFAULT_ALERT_SETTINGS, now, context);
  const second = evaluateAlerts(first.memory, [snapshot(82)], DEFAULT_ALERT_SETTINGS, now + 60_000, context);
  const third = evaluateAlerts(second.memory, [snapshot(84)], DEFAULT_ALERT_SETTINGS, now + 120_000, context);
  equal([first.alerts.length, second.alerts.length, third.alerts.length], [0, 1, 0]);
  ok(/82% used/.test(second.alerts[0]?.body ?? ''), second.alerts[0]?.body);
});

await run();
