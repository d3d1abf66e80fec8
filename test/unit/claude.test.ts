import { describe, expect, it } from 'vitest';
import { TransportError } from '../../core/ports.js';
import {
  claudePlanLabel,
  claudeProvider,
  parseClaudeUsage,
  readClaudeCredentials,
} from '../../core/providers/claude.js';
import { type FakePortsOptions, fakePorts, fixtureJson, fixtureText, jsonResponse } from '../support/fake-ports.js';
import { numbersAsStrings } from '../support/numeric-strings.js';

const HOME_CREDENTIALS = '/home/dev/.claude/.credentials.json';
const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const KEYCHAIN = '/usr/bin/security find-generic-password -s Claude Code-credentials -a dev -w';

function usage(name: string) {
  return parseClaudeUsage(fixtureJson(`claude/oauth-usage/${name}.json`));
}

function credentials(token: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    claudeAiOauth: {
      accessToken: token,
      refreshToken: 'sk-ant-ort01-refresh',
      expiresAt: NOW + 3_600_000,
      scopes: ['user:inference', 'user:profile'],
      subscriptionType: 'max',
      rateLimitTier: 'default_claude_max_20x',
      ...extra,
    },
  });
}

describe('parseClaudeUsage', () => {
  it('reads the basic payload', () => {
    expect(usage('claude-oauth-usage-basic')).toEqual({
      ok: true,
      problems: [],
      windows: [
        {
          id: 'session',
          label: 'Session (5 h)',
          usedPercent: 12.5,
          resetsAt: Date.UTC(2025, 11, 25, 12),
          windowMinutes: 300,
        },
        { id: 'weekly', label: 'Weekly', usedPercent: 30, resetsAt: Date.UTC(2025, 11, 31), windowMinutes: 10080 },
        { id: 'weekly-sonnet', label: 'Weekly · Sonnet', usedPercent: 5, resetsAt: null, windowMinutes: 10080 },
      ],
      money: [],
    });
  });

  it('adds the Fable lane from limits[] without duplicating session and weekly', () => {
    expect(usage('claude-oauth-usage-limits-fable-2026-07-03')).toEqual({
      ok: true,
      problems: [],
      windows: [
        {
          id: 'session',
          label: 'Session (5 h)',
          usedPercent: 11,
          resetsAt: Date.UTC(2026, 6, 3, 0, 30, 0, 282),
          windowMinutes: 300,
        },
        {
          id: 'weekly',
          label: 'Weekly',
          usedPercent: 9,
          resetsAt: Date.UTC(2026, 6, 8, 9, 0, 0, 282),
          windowMinutes: 10080,
        },
        {
          id: 'weekly-fable',
          label: 'Weekly · Fable',
          usedPercent: 5,
          resetsAt: Date.UTC(2026, 6, 8, 9, 0, 0, 283),
          windowMinutes: 10080,
        },
      ],
      money: [],
    });
  });

  it('reads enterprise extra usage in EUR with no windows', () => {
    expect(usage('claude-oauth-usage-extra-usage-enterprise-eur')).toEqual({
      ok: true,
      problems: [],
      windows: [],
      money: [
        {
          id: 'extra-usage',
          label: 'Extra usage',
          usedMinor: 763,
          limitMinor: 2000,
          balanceMinor: null,
          currency: 'EUR',
          exponent: 2,
          unlimited: false,
        },
      ],
    });
  });

  it('reads extra usage in minor units, defaulting to USD', () => {
    const result = usage('claude-oauth-usage-extra-usage-minor-units');
    expect(result.ok && result.windows.map((w) => [w.id, w.usedPercent])).toEqual([['session', 1]]);
    expect(result.ok && result.money).toEqual([
      {
        id: 'extra-usage',
        label: 'Extra usage',
        usedMinor: 325,
        limitMinor: 2050,
        balanceMinor: null,
        currency: 'USD',
        exponent: 2,
        unlimited: false,
      },
    ]);
  });

  it('folds routines/cowork aliases into one lane and ignores omelette', () => {
    expect(usage('claude-oauth-usage-routines-cowork-aliases')).toEqual({
      ok: true,
      problems: [],
      windows: [
        {
          id: 'session',
          label: 'Session (5 h)',
          usedPercent: 12.5,
          resetsAt: Date.UTC(2025, 11, 25, 12),
          windowMinutes: 300,
        },
        {
          id: 'weekly-routines',
          label: 'Weekly · Routines',
          usedPercent: 14,
          resetsAt: Date.UTC(2026, 0, 1),
          windowMinutes: 10080,
        },
      ],
      money: [],
    });
  });

  it('reads the live trayapp payload: codenames ignored, money from spend', () => {
    expect(usage('claude-oauth-usage-live-2026-09-07-trayapp')).toEqual({
      ok: true,
      problems: [],
      windows: [
        {
          id: 'session',
          label: 'Session (5 h)',
          usedPercent: 51,
          resetsAt: Date.UTC(2026, 8, 7, 16, 30, 0, 961),
          windowMinutes: 300,
        },
        {
          id: 'weekly',
          label: 'Weekly',
          usedPercent: 9,
          resetsAt: Date.UTC(2026, 8, 11, 14, 0, 0, 961),
          windowMinutes: 10080,
        },
      ],
      money: [
        {
          id: 'extra-usage',
          label: 'Extra usage',
          usedMinor: 0,
          limitMinor: 10000,
          balanceMinor: null,
          currency: 'USD',
          exponent: 2,
          unlimited: false,
        },
      ],
    });
  });

  it('reads the January 2026 payload (no limits, no spend, extra usage off)', () => {
    expect(usage('claude-oauth-usage-real-aim-2026-01')).toEqual({
      ok: true,
      problems: [],
      windows: [
        {
          id: 'session',
          label: 'Session (5 h)',
          usedPercent: 24,
          resetsAt: Date.UTC(2026, 0, 2, 19, 59, 59, 600),
          windowMinutes: 300,
        },
        {
          id: 'weekly',
          label: 'Weekly',
          usedPercent: 36,
          resetsAt: Date.UTC(2026, 0, 8, 6, 59, 59, 600),
          windowMinutes: 10080,
        },
        {
          id: 'weekly-sonnet',
          label: 'Weekly · Sonnet',
          usedPercent: 1,
          resetsAt: Date.UTC(2026, 0, 8, 14, 59, 59, 600),
          windowMinutes: 10080,
        },
      ],
      money: [],
    });
  });

  it('takes session and weekly from limits[] when the keyed windows are null, never inventing 100 %, and names bad entries', () => {
    const result = parseClaudeUsage({
      five_hour: null,
      seven_day: null,
      limits: [
        { kind: 'weekly_all', group: 'weekly', percent: 42, resets_at: '2026-07-08T09:00:00Z', scope: null },
        { kind: 'session', group: 'session', percent: 7, resets_at: null, scope: null },
        { kind: 'weekly_scoped', group: 'weekly', percent: 3, scope: { model: { display_name: 'Claude Opus 5' } } },
        { kind: 'weekly_scoped', group: 'weekly', percent: 80, scope: { model: { display_name: '' } } },
        { kind: 'session', percent: 'lots' },
        'junk',
      ],
    });
    expect(result).toEqual({
      ok: true,
      problems: ["Anthropic's limits[4] entry could not be read.", "Anthropic's limits[5] entry could not be read."],
      windows: [
        { id: 'session', label: 'Session (5 h)', usedPercent: 7, resetsAt: null, windowMinutes: 300 },
        { id: 'weekly', label: 'Weekly', usedPercent: 42, resetsAt: Date.UTC(2026, 6, 8, 9), windowMinutes: 10080 },
        {
          id: 'weekly-claude-opus-5',
          label: 'Weekly · Claude Opus 5',
          usedPercent: 3,
          resetsAt: null,
          windowMinutes: 10080,
        },
      ],
      money: [],
    });
  });

  it('lets keyed windows win over limits[] entries with the same id', () => {
    const result = parseClaudeUsage({
      five_hour: { utilization: 20, resets_at: null },
      seven_day_fable: { utilization: 4, resets_at: null },
      limits: [
        { kind: 'session', group: 'session', percent: 99, resets_at: null, scope: null },
        { kind: 'weekly_scoped', group: 'weekly', percent: 98, scope: { model: { display_name: 'Fable' } } },
        { kind: 'weekly_scoped', group: 'weekly', percent: 12, scope: { model: { display_name: 'Haiku' } } },
        { kind: 'weekly_scoped', group: 'weekly', percent: 97, scope: { model: { display_name: 'Haiku' } } },
      ],
    });
    expect(result.ok && result.windows.map((w) => [w.id, w.label, w.usedPercent])).toEqual([
      ['session', 'Session (5 h)', 20],
      ['weekly-fable', 'Weekly · Fable', 4],
      ['weekly-haiku', 'Weekly · Haiku', 12],
    ]);
  });

  it('names a model lane whose display name has no letters after its model id, never `weekly-`', () => {
    const result = parseClaudeUsage({
      limits: [
        {
          kind: 'weekly_scoped',
          group: 'weekly',
          percent: 61,
          scope: { model: { id: 'claude-opus-5', display_name: '★★' } },
        },
        { kind: 'weekly_scoped', group: 'weekly', percent: 62, scope: { model: { display_name: '—' } } },
      ],
    });
    expect(result.ok && result.windows.map((w) => [w.id, w.label, w.usedPercent])).toEqual([
      ['weekly-claude-opus-5', 'Weekly · ★★', 61],
      ['weekly-model', 'Weekly · —', 62],
    ]);
  });

  it.each([
    'claude-oauth-usage-real-aim-2026-01',
    'claude-oauth-usage-limits-fable-2026-07-03',
    'claude-oauth-usage-live-2026-09-07-trayapp',
    'claude-oauth-usage-extra-usage-enterprise-eur',
  ])('reads numbers sent as strings in %s as the numbers', (name) => {
    const body = fixtureJson(`claude/oauth-usage/${name}.json`);
    const keys = ['utilization', 'percent', 'amount_minor', 'exponent', 'monthly_limit', 'used_credits'];
    const strings = numbersAsStrings(body, [...keys, 'decimal_places']);
    expect(JSON.stringify(strings)).toMatch(/"(utilization|amount_minor|used_credits)":"\d/);
    expect(parseClaudeUsage(strings)).toEqual(parseClaudeUsage(body));
  });

  it('still rejects a utilization that is not a number', () => {
    const result = parseClaudeUsage({
      five_hour: { utilization: '37', resets_at: null },
      seven_day: { utilization: '37%', resets_at: null },
      seven_day_opus: { utilization: '', resets_at: null },
    });
    expect(result.ok && result.windows.map((w) => [w.id, w.usedPercent])).toEqual([['session', 37]]);
    expect(result.ok && result.problems).toEqual([
      "Anthropic's seven_day window could not be read.",
      "Anthropic's seven_day_opus window could not be read.",
    ]);
  });

  it('names a window of the real January 2026 payload that it cannot read, without its value', () => {
    const body = fixtureJson('claude/oauth-usage/claude-oauth-usage-real-aim-2026-01.json') as Record<string, unknown>;
    body.seven_day_sonnet = { utilization: 'sk-ant-oat01-SECRET', resets_at: '2026-01-08T14:59:59.6Z' };
    const result = parseClaudeUsage(body);
    expect(result).toMatchObject({
      ok: true,
      problems: ["Anthropic's seven_day_sonnet window could not be read."],
    });
    expect(result.ok && result.windows.map((w) => [w.id, w.usedPercent])).toEqual([
      ['session', 24],
      ['weekly', 36],
    ]);
    expect(JSON.stringify(result)).not.toContain('SECRET');
  });

  it('names unreadable spend in the real trayapp payload and falls back to extra_usage', () => {
    const body = fixtureJson('claude/oauth-usage/claude-oauth-usage-live-2026-09-07-trayapp.json') as {
      spend: { used: unknown };
    };
    body.spend.used = 'lots';
    const result = parseClaudeUsage(body);
    expect(result).toMatchObject({ ok: true, problems: ["Anthropic's spend could not be read."] });
    expect(result.ok && result.money.map((m) => [m.id, m.usedMinor, m.limitMinor])).toEqual([
      ['extra-usage', 0, 10000],
    ]);
  });

  it('keeps overage above 100 and skips one malformed window', () => {
    const result = parseClaudeUsage({
      five_hour: { utilization: 104.5, resets_at: null },
      seven_day: { utilization: 'high' },
      seven_day_opus: { utilization: 20, resets_at: '2026-01-01T00:00:00Z' },
      seven_day_fable: { utilization: null },
    });
    expect(result.ok && result.windows.map((w) => [w.id, w.usedPercent])).toEqual([
      ['session', 104.5],
      ['weekly-opus', 20],
    ]);
  });

  it('shows no money when spend is disabled', () => {
    const result = parseClaudeUsage({
      five_hour: { utilization: 1 },
      spend: { enabled: false, used: { amount_minor: 5, currency: 'USD', exponent: 2 } },
      extra_usage: { is_enabled: true, used_credits: 5, monthly_limit: 100 },
    });
    expect(result.ok && result.money).toEqual([]);
  });

  it('treats a null monthly limit as uncapped and rounds float credits', () => {
    const result = parseClaudeUsage({
      extra_usage: { is_enabled: true, monthly_limit: null, used_credits: 12.6, currency: 'GBP', decimal_places: 2 },
    });
    expect(result.ok && result.money.map((m) => [m.usedMinor, m.limitMinor, m.currency])).toEqual([[13, null, 'GBP']]);
  });

  it('accepts an all-null payload as no data', () => {
    expect(parseClaudeUsage({ five_hour: null, seven_day: null })).toEqual({
      ok: true,
      windows: [],
      money: [],
      problems: [],
    });
  });

  it.each([
    ['a string', 'nope'],
    ['an array', [1, 2]],
    ['null', null],
    ['a malformed window only', { five_hour: { utilization: 'high' } }],
    ['an unrelated object', { type: 'error', error: { type: 'authentication_error' } }],
  ])('fails on %s', (_name, body) => {
    expect(parseClaudeUsage(body)).toEqual({
      ok: false,
      failure: { status: 'error', message: 'Anthropic sent usage data in an unexpected format.', fix: '' },
    });
  });
});

describe('claudePlanLabel', () => {
  it.each([
    ['max', 'default_claude_max_20x', 'Max 20x'],
    ['max', 'default_claude_max_5x', 'Max 5x'],
    ['max', null, 'Max'],
    ['pro', 'default_claude_max_20x', 'Pro'],
    ['team', null, 'Team'],
    ['enterprise', undefined, 'Enterprise'],
    [null, 'default_claude_max_5x', 'Max 5x'],
    [null, 'default_claude_max_20x', 'Max 20x'],
    [null, 'default_claude_ai', null],
    ['<plan, e.g. max or pro>', '<tier string>', null],
    [undefined, undefined, null],
  ])('%s / %s → %s', (subscription, tier, label) => {
    expect(claudePlanLabel(subscription, tier)).toBe(label);
  });
});

describe('readClaudeCredentials', () => {
  it('reads the fixture credentials from ~/.claude', async () => {
    const ports = fakePorts({
      files: { [HOME_CREDENTIALS]: fixtureText('claude/credentials/claude-credentials.json') },
    });
    expect(await readClaudeCredentials(ports)).toEqual({
      ok: true,
      credentials: { accessToken: 'test-token', expiresAt: 4102444800000, scopes: ['usage:read'], plan: 'Pro' },
    });
  });

  it('reads the trayapp fixture with placeholder plan and scopes as unknown', async () => {
    const ports = fakePorts({
      now: Date.UTC(2026, 8, 7),
      files: { [HOME_CREDENTIALS]: fixtureText('claude/credentials/claude-credentials-trayapp-2026-09.json') },
    });
    const result = await readClaudeCredentials(ports);
    expect(result).toEqual({
      ok: true,
      credentials: { accessToken: '<redacted, 108 chars>', expiresAt: 1788781207410, scopes: [], plan: null },
    });
  });

  it('reports an mcpOAuth-only file as signed out', async () => {
    const ports = fakePorts({
      files: { [HOME_CREDENTIALS]: fixtureText('claude/credentials/claude-keychain-mcpoauth-only.json') },
    });
    expect(await readClaudeCredentials(ports)).toEqual({
      ok: false,
      failure: {
        status: 'signed-out',
        message: "Claude Code's credentials hold no Claude login (only MCP server tokens).",
        fix: 'Run `claude` once and sign in with your Claude subscription.',
      },
    });
  });

  it('prefers CLAUDE_SECURESTORAGE_CONFIG_DIR, then CLAUDE_CONFIG_DIR, then ~/.claude', async () => {
    const files = {
      '/secure/.credentials.json': credentials('secure-token'),
      '/custom/.credentials.json': credentials('custom-token'),
      [HOME_CREDENTIALS]: credentials('home-token'),
    };
    const token = async (options: FakePortsOptions) => {
      const result = await readClaudeCredentials(fakePorts(options));
      return result.ok ? result.credentials.accessToken : result.failure.status;
    };
    const env = { CLAUDE_SECURESTORAGE_CONFIG_DIR: '/secure', CLAUDE_CONFIG_DIR: '/custom/' };
    expect(await token({ files, env })).toBe('secure-token');
    expect(await token({ files, env: { CLAUDE_CONFIG_DIR: '/custom/' } })).toBe('custom-token');
    expect(await token({ files: { [HOME_CREDENTIALS]: files[HOME_CREDENTIALS] }, env })).toBe('home-token');
    expect(await token({ files })).toBe('home-token');
  });

  it('reports no file as signed out without asking the Keychain off macOS', async () => {
    const ports = fakePorts();
    expect(await readClaudeCredentials(ports)).toEqual({
      ok: false,
      failure: {
        status: 'signed-out',
        message: 'No Claude Code login found on this machine.',
        fix: 'Run `claude` once and sign in with your Claude subscription.',
        unused: true,
      },
    });
    expect(ports.commands).toEqual([]);
  });

  it('reports an expired token as signed out', async () => {
    const ports = fakePorts({ files: { [HOME_CREDENTIALS]: credentials('old-token', { expiresAt: NOW }) } });
    expect(await readClaudeCredentials(ports)).toEqual({
      ok: false,
      failure: {
        status: 'signed-out',
        message: "Claude Code's login has expired.",
        fix: "Run `claude` once; it renews its own login. Headroom never refreshes Claude Code's tokens.",
      },
    });
  });

  it('reports an unreadable file as an error naming it', async () => {
    const ports = fakePorts({ unreadable: [HOME_CREDENTIALS], files: { '/other/.credentials.json': '{}' } });
    const result = await readClaudeCredentials(ports);
    expect(result).toEqual({
      ok: false,
      failure: {
        status: 'error',
        message: `Can't read Claude Code's credentials file ${HOME_CREDENTIALS}.`,
        fix: 'Check its permissions, or run `claude` once so Claude Code rewrites it.',
      },
    });
  });

  it('reports garbage JSON without echoing it', async () => {
    const secret = '{"claudeAiOauth":{"accessToken":"sk-ant-oat01-SECRET"';
    const result = await readClaudeCredentials(fakePorts({ files: { [HOME_CREDENTIALS]: secret } }));
    expect(result).toEqual({
      ok: false,
      failure: {
        status: 'error',
        message: `Claude Code's credentials file ${HOME_CREDENTIALS} is not valid JSON.`,
        fix: 'Run `claude` once so Claude Code rewrites it.',
      },
    });
  });

  it('reports a wrong shape as an error', async () => {
    const text = credentials('sk-ant-oat01-SECRET', { expiresAt: 'tomorrow' });
    const result = await readClaudeCredentials(fakePorts({ files: { [HOME_CREDENTIALS]: text } }));
    expect(!result.ok && result.failure).toEqual({
      status: 'error',
      message: `Claude Code's credentials file ${HOME_CREDENTIALS} has an unexpected format.`,
      fix: 'Run `claude` once so Claude Code rewrites it.',
    });
  });

  it('reads the macOS Keychain when no file exists', async () => {
    const ports = fakePorts({
      platform: 'darwin',
      processes: { [KEYCHAIN]: { code: 0, stdout: `${credentials('keychain-token')}\n`, stderr: '' } },
    });
    expect(await readClaudeCredentials(ports)).toEqual({
      ok: true,
      credentials: {
        accessToken: 'keychain-token',
        expiresAt: NOW + 3_600_000,
        scopes: ['user:inference', 'user:profile'],
        plan: 'Max 20x',
      },
    });
    expect(ports.commands).toEqual([
      ['/usr/bin/security', 'find-generic-password', '-s', 'Claude Code-credentials', '-a', 'dev', '-w'],
    ]);
  });

  it('omits -a for an empty user and treats a failing Keychain lookup as absent', async () => {
    const argv = '/usr/bin/security find-generic-password -s Claude Code-credentials -w';
    const ports = fakePorts({
      platform: 'darwin',
      user: '',
      processes: { [argv]: { code: 44, stdout: '', stderr: 'The specified item could not be found.' } },
    });
    const result = await readClaudeCredentials(ports);
    expect(!result.ok && result.failure.status).toBe('signed-out');
    expect(ports.commands.map((c) => c.join(' '))).toEqual([argv]);
  });

  it('treats a Keychain that cannot be run as absent, and prefers a file over it', async () => {
    const missing = await readClaudeCredentials(fakePorts({ platform: 'darwin' }));
    expect(!missing.ok && missing.failure.status).toBe('signed-out');
    const ports = fakePorts({ platform: 'darwin', files: { [HOME_CREDENTIALS]: credentials('file-token') } });
    const result = await readClaudeCredentials(ports);
    expect(result.ok && result.credentials.accessToken).toBe('file-token');
    expect(ports.commands).toEqual([]);
  });

  it('reports broken Keychain JSON as an error naming the item', async () => {
    const ports = fakePorts({ platform: 'darwin', processes: { [KEYCHAIN]: { code: 0, stdout: 'x', stderr: '' } } });
    const result = await readClaudeCredentials(ports);
    expect(!result.ok && result.failure.message).toBe(
      'Claude Code\'s Keychain item "Claude Code-credentials" is not valid JSON.',
    );
  });
});

describe('claudeProvider api source', () => {
  const source = claudeProvider.sources.find((s) => s.id === 'api');
  const TOKEN = 'sk-ant-oat01-VERY-SECRET';
  const files = { [HOME_CREDENTIALS]: credentials(TOKEN) };

  async function fetchWith(options: FakePortsOptions) {
    const ports = fakePorts({ files, ...options });
    return { ports, result: await source!.fetch(ports) };
  }

  it('describes the provider', () => {
    expect(claudeProvider).toMatchObject({
      id: 'claude',
      name: 'Claude',
      letter: 'C',
      usageUrl: 'https://claude.ai/settings/usage',
      connectHelp: 'Run `claude` and sign in with your Claude Pro or Max plan.',
    });
    expect(claudeProvider.sources.map((s) => [s.id, s.label, s.remote])).toEqual([
      ['oauth', "Headroom's own sign-in", true],
      ['api', 'OAuth API', true],
      ['web', 'claude.ai session', true],
      ['statusline', 'Claude Code status line', false],
    ]);
  });

  it('sends exactly the expected request and returns a capture', async () => {
    const body = fixtureText('claude/oauth-usage/claude-oauth-usage-basic.json');
    const { ports, result } = await fetchWith({ http: () => jsonResponse(body) });
    expect(ports.requests).toEqual([
      {
        url: 'https://api.anthropic.com/api/oauth/usage',
        headers: {
          Authorization: `Bearer ${TOKEN}`,
          'anthropic-beta': 'oauth-2025-04-20',
          Accept: 'application/json',
          'User-Agent': 'claude-code/2.1.0 (headroom)',
        },
        timeoutMs: 15000,
      },
    ]);
    expect(result).toEqual({
      ok: true,
      capture: {
        source: 'api',
        capturedAt: NOW,
        plan: 'Max 20x',
        windows: (parseClaudeUsage(JSON.parse(body)) as { windows: unknown }).windows,
        money: [],
      },
    });
    expect(result.ok && result.capture.windows.map((w) => w.id)).toEqual(['session', 'weekly', 'weekly-sonnet']);
  });

  it('puts the windows it could not read in the capture', async () => {
    const body = fixtureJson('claude/oauth-usage/claude-oauth-usage-basic.json') as Record<string, unknown>;
    body.seven_day = { utilization: { value: 30 }, resets_at: '2025-12-31T00:00:00Z' };
    const { result } = await fetchWith({ http: () => jsonResponse(body) });
    expect(result).toMatchObject({
      ok: true,
      capture: { problems: ["Anthropic's seven_day window could not be read."] },
    });
    expect(result.ok && result.capture.windows.map((w) => w.id)).toEqual(['session', 'weekly-sonnet']);
  });

  it('honours HEADROOM_ANTHROPIC_API_URL, trailing slash stripped', async () => {
    const { ports } = await fetchWith({
      env: { HEADROOM_ANTHROPIC_API_URL: 'http://127.0.0.1:8787/' },
      http: () => jsonResponse({ five_hour: null }),
    });
    expect(ports.requests[0]!.url).toBe('http://127.0.0.1:8787/api/oauth/usage');
  });

  it('returns a credentials failure without a request', async () => {
    const { ports, result } = await fetchWith({ files: {} });
    expect(!result.ok && result.failure.status).toBe('signed-out');
    expect(ports.requests).toEqual([]);
  });

  it('maps a 401 to unauthorized with the run-claude fix', async () => {
    const body = fixtureText('claude/oauth-usage/claude-oauth-usage-401-error.json');
    const { result } = await fetchWith({ http: () => jsonResponse(body, 401) });
    expect(result).toEqual({
      ok: false,
      failure: {
        status: 'unauthorized',
        message: 'Anthropic rejected the saved login (HTTP 401).',
        fix: "Run `claude` once to sign in again; Headroom never refreshes Claude Code's tokens.",
      },
    });
  });

  it('explains a 401 for a token without the user:profile scope', async () => {
    const { result } = await fetchWith({
      files: { [HOME_CREDENTIALS]: credentials(TOKEN, { scopes: ['user:inference'] }) },
      http: () => jsonResponse(fixtureText('claude/oauth-usage/claude-oauth-usage-401-error.json'), 401),
    });
    expect(!result.ok && result.failure.status).toBe('unauthorized');
    expect(!result.ok && result.failure.fix).toBe(
      "This login lacks the `user:profile` scope needed to read usage (tokens from `claude setup-token` can't); " +
        'run `claude` and sign in there instead.',
    );
  });

  it('maps a 429 with Retry-After: 120 to rate-limited for 120 s', async () => {
    const body = fixtureText('claude/oauth-usage/claude-oauth-usage-429-error.json');
    const { result } = await fetchWith({ http: () => jsonResponse(body, 429, { 'retry-after': '120' }) });
    expect(!result.ok && result.failure).toMatchObject({ status: 'rate-limited', retryAt: NOW + 120_000 });
  });

  it('maps a 429 without Retry-After to rate-limited for 5 min', async () => {
    const body = fixtureText('claude/oauth-usage/claude-oauth-usage-429-error.json');
    const { result } = await fetchWith({ http: () => jsonResponse(body, 429) });
    expect(!result.ok && result.failure).toMatchObject({ status: 'rate-limited', retryAt: NOW + 300_000 });
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><body>Sign in</body></html>', 'api.anthropic.com sent a web page'],
    ['truncated JSON', '{"five_hour":{"utilization":12', 'api.anthropic.com sent malformed or truncated JSON.'],
    ['a malformed window', '{"five_hour":{"utilization":"high"}}', 'Anthropic sent usage data in an unexpected'],
  ])('maps %s to error', async (_name, body, message) => {
    const { result } = await fetchWith({ http: () => ({ status: 200, headers: {}, body }) });
    expect(!result.ok && result.failure.status).toBe('error');
    expect(!result.ok && result.failure.message).toContain(message);
  });

  it('maps an unreachable host to offline', async () => {
    const { result } = await fetchWith({
      http: () => {
        throw new TransportError('offline', 'getaddrinfo ENOTFOUND');
      },
    });
    expect(!result.ok && result.failure.status).toBe('offline');
  });

  it('never puts the token in a failure', async () => {
    const answers = [
      () => jsonResponse(fixtureText('claude/oauth-usage/claude-oauth-usage-401-error.json'), 401),
      () => jsonResponse({}, 429),
      () => jsonResponse('<html></html>'),
      () => jsonResponse('{', 200),
      () => jsonResponse({ five_hour: { utilization: 'high' } }),
      () => jsonResponse({}, 500),
    ];
    const failures = [];
    for (const http of answers) failures.push((await fetchWith({ http })).result);
    for (const text of [
      credentials(TOKEN, { expiresAt: 1 }),
      `${credentials(TOKEN)}x`,
      credentials(TOKEN, { scopes: 7 }),
    ]) {
      failures.push(await readClaudeCredentials(fakePorts({ files: { [HOME_CREDENTIALS]: text } })));
    }
    expect(failures.every((r) => !r.ok)).toBe(true);
    expect(JSON.stringify(failures)).not.toContain('SECRET');
  });
});
