import { describe, expect, it } from 'vitest';
import type { ProviderId, ProviderSnapshot, UsageWindow } from '../../core/model.js';
import { presentMenu } from '../../core/present.js';
import { PROVIDERS } from '../../core/providers/index.js';
import { DEFAULT_SETTINGS, type Settings } from '../../core/settings.js';
import { escapeMenuText, renderMenuBar, renderText } from '../../swiftbar-plugin/render.js';
import { defaultAccount } from '../support/builders.js';

const T = Date.UTC(2026, 10, 22, 5, 0, 0);
const HOUR = 3_600_000;
const PLUGIN = '/Users/dev/Plugins/headroom.5m.mjs';
const CONTEXT = { pluginPath: PLUGIN };

function win(id: string, label: string, usedPercent: number, resetsAt: number | null = null): UsageWindow {
  return { id, label, usedPercent, resetsAt, windowMinutes: id === 'session' ? 300 : 10080 };
}

function snap(provider: ProviderId, windows: UsageWindow[], extra: Partial<ProviderSnapshot> = {}): ProviderSnapshot {
  return {
    provider,
    account: defaultAccount(provider),
    source: windows.length > 0 ? 'api' : null,
    status: 'ok',
    message: '',
    fix: '',
    stale: false,
    plan: null,
    fetchedAt: windows.length > 0 ? T - 60_000 : null,
    retryAt: null,
    windows,
    money: [],
    ...extra,
  };
}

const CLAUDE = snap(
  'claude',
  [win('session', 'Session (5 h)', 37, T + 2 * HOUR), win('weekly-fable', 'Weekly · Fable', 5)],
  {
    plan: 'Max 20x',
    money: [
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
    ],
  },
);
const CODEX = snap('codex', [win('session', 'Session (5 h)', 18, T + HOUR), win('weekly', 'Weekly', 100)]);

function menu(snapshots: ProviderSnapshot[], settings: Settings = structuredClone(DEFAULT_SETTINGS)) {
  return presentMenu(snapshots, PROVIDERS, settings, { now: T, timeZone: 'UTC', locale: 'en-US' });
}

/** The parameters of a menu line, as SwiftBar and xbar read them (`key=value` or `key="quoted value"`). */
function params(line: string): Record<string, string> {
  const tail = line.slice(line.indexOf(' | ') + 3);
  return Object.fromEntries([...tail.matchAll(/(\w+)=(?:"([^"]*)"|(\S+))/g)].map((m) => [m[1], m[2] ?? m[3]]));
}

/** The text of a menu line, before its parameters. */
const textOf = (line: string): string => line.slice(0, line.indexOf(' | '));

describe('escapeMenuText', () => {
  it.each([
    ['a pipe, which would start parameters', 'Rate | color=red bash=/bin/rm', 'Rate ¦ color=red bash=/bin/rm'],
    ['newlines', 'first\nsecond\n---\nthird', 'first second --- third'],
    ['CR and CRLF', 'a\rb\r\nc', 'a b c'],
    ['tabs', 'a\tb', 'a b'],
    ['U+2028 and U+2029', 'a\u2028b\u2029c', 'a b c'],
    ['NEL (U+0085) and DEL', 'a\u0085b\u007fc', 'a b c'],
    ['runs of whitespace', '  a    b  ', 'a b'],
    ['leading dashes, which would make a submenu', '--submenu', '‐‐submenu'],
    ['a bare separator', '---', '‐‐‐'],
    ['dashes behind spaces', '  -- x', '‐‐ x'],
    ['a leading single dash', '-5% left', '‐5% left'],
  ])('neutralises %s', (_name, input, output) => {
    expect(escapeMenuText(input)).toBe(output);
  });

  it('removes the escape character of ANSI colour codes', () => {
    const text = escapeMenuText('\u001b[31mred\u001b[0m');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u001f]/);
    expect(text).toContain('red');
  });

  it('keeps ordinary text, inner dashes and Unicode', () => {
    expect(escapeMenuText('Claude · Max 20x — 37% used, resets in 2 h')).toBe(
      'Claude · Max 20x — 37% used, resets in 2 h',
    );
    expect(escapeMenuText('gpt-5-codex')).toBe('gpt-5-codex');
  });
});

describe('renderMenuBar for SwiftBar', () => {
  const output = renderMenuBar(menu([CLAUDE, CODEX]), 'swiftbar', CONTEXT);
  const lines = output.trimEnd().split('\n');

  it('starts with the title line, an SF Symbol and then a separator', () => {
    expect(lines[0]).toBe('C 37% · X 18% | sfimage=gauge.with.dots.needle.33percent symbolize=false emojize=false');
    expect(lines[1]).toBe('---');
    expect(output.endsWith('\n')).toBe(true);
  });

  it('gives every item light,dark colour pairs and turns off symbol and emoji parsing', () => {
    for (const line of lines.slice(1)) {
      if (line === '---') continue;
      const p = params(line);
      expect(p.symbolize).toBe('false');
      expect(p.emojize).toBe('false');
      if (p.color !== undefined) expect(p.color).toMatch(/^#[0-9a-f]{6},#[0-9a-f]{6}$/);
      // SwiftBar greys out items without an action or a colour.
      expect(p.color ?? p.href ?? p.bash).toBeDefined();
    }
  });

  it('lists each provider with its windows, money and source', () => {
    const texts = lines.filter((line) => line !== '---').map(textOf);
    expect(texts).toEqual([
      'C 37% · X 18%',
      'Claude · Max 20x',
      'Session (5 h): 37% used · resets in 2 h (7:00 AM)',
      '23% behind pace (in reserve) · Lasts until reset',
      'Weekly · Fable: 5% used',
      'Extra usage: $3.25 of $20.50 (16%)',
      'via OAuth API · updated 4:59 AM',
      'Codex',
      'Session (5 h): 18% used · resets in 1 h (6:00 AM)',
      '62% behind pace (in reserve) · Lasts until reset',
      'Weekly: 100% used',
      'via ChatGPT API · updated 4:59 AM',
      'Refresh now',
      'Open Claude usage page',
      'Open Codex usage page',
    ]);
    const line = (text: string) => lines.find((l) => textOf(l) === text) ?? '';
    expect(params(line('Claude · Max 20x')).size).toBe('14');
    expect(params(line('Weekly: 100% used')).color).toBe('#c41e1e,#ff6961');
    expect(params(line('Open Claude usage page')).href).toBe('https://claude.ai/settings/usage');
  });

  it('reruns itself with param0 for "Refresh now"', () => {
    const refresh = lines.find((line) => line.startsWith('Refresh now |')) ?? '';
    expect(params(refresh)).toMatchObject({ bash: PLUGIN, param0: '--refresh', terminal: 'false', refresh: 'true' });
    expect(params(refresh).param1).toBeUndefined();
  });

  it('quotes a plugin path with spaces', () => {
    const path = '/Users/dev/Library/Application Support/SwiftBar/headroom.5m.mjs';
    const refresh = renderMenuBar(menu([CLAUDE]), 'swiftbar', { pluginPath: path })
      .split('\n')
      .find((line) => line.startsWith('Refresh now |'));
    expect(refresh).toContain(`bash="${path}"`);
  });

  it('colours the title by the worst title value', () => {
    const hot = snap('claude', [win('session', 'Session (5 h)', 93)]);
    const first = renderMenuBar(menu([hot, CODEX]), 'swiftbar', CONTEXT).split('\n')[0] ?? '';
    expect(params(first).color).toBe('#c41e1e,#ff6961');
  });

  it('dims the title when every value in it is stale', () => {
    const stale = (s: ProviderSnapshot): ProviderSnapshot => ({
      ...s,
      status: 'offline',
      stale: true,
      message: 'Off.',
    });
    const first = renderMenuBar(menu([stale(CLAUDE), stale(CODEX)]), 'swiftbar', CONTEXT).split('\n')[0] ?? '';
    expect(params(first).color).toBe('#6e6e73,#a1a1a6');
  });

  it('cannot be given extra lines, parameters or separators by API text', () => {
    const hostile = snap('claude', [win('session', 'Session\n---\n--sub', 37)], {
      status: 'error',
      message: 'Bad gateway | bash=/bin/sh param0=-c\n---\n--Injected item | href=https://evil.example',
      fix: '-- run this\r\nnow',
      plan: 'Max | color=red',
    });
    const out = renderMenuBar(menu([hostile]), 'swiftbar', CONTEXT)
      .trimEnd()
      .split('\n');
    const plain = renderMenuBar(menu([{ ...hostile, message: 'x', fix: 'y', plan: 'z' }]), 'swiftbar', CONTEXT)
      .trimEnd()
      .split('\n');
    expect(out).toHaveLength(plain.length);
    for (const line of out) {
      if (line === '---') continue;
      expect(line).not.toMatch(/^-/);
      expect(line.split('|')).toHaveLength(2);
      if (!line.startsWith('Open ')) expect(params(line).href).toBeUndefined();
      expect(params(line).param0 ?? '--refresh').toBe('--refresh');
    }
    expect(out.some((line) => line.startsWith('⚠ Error: Bad gateway ¦ bash=/bin/sh'))).toBe(true);
  });

  it('shows the connect help when nothing is connected', () => {
    const signedOut = (provider: ProviderId) => snap(provider, [], { status: 'signed-out', message: 'No login.' });
    const out = renderMenuBar(menu([signedOut('claude'), signedOut('codex')]), 'swiftbar', CONTEXT).split('\n');
    expect(textOf(out[0] ?? '')).toBe('Headroom');
    expect(out.map(textOf)).toContain('Headroom found no Claude Code or Codex login on this machine.');
    expect(out.map(textOf)).toContain('Claude: Run `claude` and sign in with your Claude Pro or Max plan.');
    expect(out.map(textOf)).not.toContain('Claude');
  });

  it('names only the enabled provider when the other is turned off', () => {
    const view = menu([snap('codex', [], { status: 'signed-out', message: 'Codex is not signed in.' })]);
    const text = renderText(view);
    expect(text).toContain('Headroom found no Codex login on this machine.');
    expect(text).not.toContain('Claude');
    expect(renderMenuBar(view, 'swiftbar', CONTEXT)).toContain('Headroom found no Codex login on this machine.');
  });
});

describe('renderMenuBar for xbar', () => {
  const output = renderMenuBar(menu([CLAUDE, CODEX]), 'xbar', CONTEXT);
  const lines = output.trimEnd().split('\n');

  it('uses no SwiftBar-only parameter (xbar rejects unknown ones)', () => {
    const xbarKeys = ['color', 'size', 'href', 'bash', 'param1', 'terminal', 'refresh', 'emojize', 'ansi'];
    for (const line of lines) {
      if (line === '---') continue;
      for (const key of Object.keys(params(line))) expect(xbarKeys).toContain(key);
    }
    expect(output).not.toContain('sfimage');
    expect(output).not.toContain('symbolize');
  });

  it('turns off emoji and ANSI parsing on every item', () => {
    for (const line of lines.filter((l) => l !== '---'))
      expect(params(line)).toMatchObject({ emojize: 'false', ansi: 'false' });
  });

  it('gives single colours, not light,dark pairs', () => {
    const colours = lines.map((line) => params(line).color).filter((c) => c !== undefined);
    expect(colours.length).toBeGreaterThan(3);
    for (const colour of colours) expect(colour).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('starts the title line without an SF Symbol', () => {
    expect(lines[0]).toBe('C 37% · X 18% | emojize=false ansi=false');
  });

  it('reruns itself with param1 for "Refresh now"', () => {
    const refresh = lines.find((line) => line.startsWith('Refresh now |')) ?? '';
    expect(params(refresh)).toMatchObject({ bash: PLUGIN, param1: '--refresh', terminal: 'false', refresh: 'true' });
    expect(params(refresh).param0).toBeUndefined();
  });
});

describe('renderText', () => {
  const text = renderText(menu([CLAUDE, CODEX]));
  const lines = text.trimEnd().split('\n');

  it('prints the title and one block per provider', () => {
    expect(lines[0]).toBe('Headroom  C 37% · X 18%');
    expect(lines).toContain('Claude · Max 20x  (via OAuth API · updated 4:59 AM)');
    expect(lines).toContain('Codex  (via ChatGPT API · updated 4:59 AM)');
  });

  it('draws bars and aligns labels, bars and percentages in columns', () => {
    const rows = lines.filter((line) => /[█░]/.test(line));
    expect(rows).toEqual([
      '  Session (5 h)   ███▌░░░░░░  37% used  resets in 2 h (7:00 AM)',
      '  Weekly · Fable  ▌░░░░░░░░░   5% used',
      '  Session (5 h)   ██░░░░░░░░  18% used  resets in 1 h (6:00 AM)',
      '  Weekly          ██████████ 100% used',
    ]);
    expect(lines).toContain('  Extra usage     $3.25 of $20.50 (16%)');
  });

  it('uses at least a 12-character label column', () => {
    const short = snap('codex', [win('weekly', 'Weekly', 0)]);
    expect(renderText(menu([short]))).toContain('  Weekly        ░░░░░░░░░░   0% used');
  });

  it('prints status and fix lines, without control characters', () => {
    const broken = snap('claude', [], {
      status: 'unauthorized',
      message: 'Anthropic rejected the saved login (HTTP 401).\u001b[2J',
      fix: 'Run `claude` once to sign in again.',
    });
    const out = renderText(menu([broken]));
    expect(out).toContain('  ! Login rejected: Anthropic rejected the saved login (HTTP 401).[2J\n');
    expect(out).toContain('    Fix: Run `claude` once to sign in again.\n');
    expect(out).not.toContain('\u001b');
  });

  it('prints the connect help when nothing is connected', () => {
    const signedOut = (provider: ProviderId) => snap(provider, [], { status: 'signed-out', message: 'No login.' });
    expect(renderText(menu([signedOut('claude'), signedOut('codex')]))).toBe(
      [
        'Headroom found no Claude Code or Codex login on this machine.',
        '',
        'To connect:',
        '  Claude: Run `claude` and sign in with your Claude Pro or Max plan.',
        '  Codex: Run `codex` and sign in with your ChatGPT plan.',
        '',
        'Then run Headroom again.',
        '',
      ].join('\n'),
    );
  });
});

describe('a menu with many accounts', () => {
  const work = snap(
    'claude',
    [win('session', 'Session (5 h)', 12, T + HOUR), win('weekly', 'Weekly', 64, T + 50 * HOUR)],
    {
      account: { id: 'claude-work', key: 'claude@claude-work', label: '~/.claude-work' },
      plan: 'Pro',
    },
  );
  const view = menu([CLAUDE, work, CODEX]);

  it('shows every account in full up to two accounts, compact beyond', () => {
    expect(menu([CLAUDE, CODEX]).compactAccounts).toBe(false);
    expect(view.compactAccounts).toBe(true);
  });

  it("summarises each account by its fullest window, in the settings' order", () => {
    expect(view.providers.map((p) => [p.heading, p.fullest?.label, p.fullest?.percentText])).toEqual([
      ['Claude (~/.claude) · Max 20x', 'Session (5 h)', '37% used'],
      ['Claude (~/.claude-work) · Pro', 'Weekly', '64% used'],
      ['Codex', 'Weekly', '100% used'],
    ]);
  });

  it('gives SwiftBar two lines per account, the heading holding the full detail as a submenu', () => {
    const lines = renderMenuBar(view, 'swiftbar', CONTEXT).trimEnd().split('\n');
    const texts = lines.filter((line) => line !== '---').map(textOf);
    const at = texts.indexOf('Claude (~/.claude-work) · Pro');
    expect(texts.slice(at, at + 8)).toEqual([
      'Claude (~/.claude-work) · Pro',
      '--Session (5 h): 12% used · resets in 1 h (6:00 AM)',
      '--68% behind pace (in reserve) · Lasts until reset',
      '--Weekly: 64% used · resets in 2 d 2 h (Tue 7:00 AM)',
      '--6% behind pace (in reserve) · Lasts until reset',
      '--via OAuth API · updated 4:59 AM',
      'Weekly: 64% used · resets in 2 d 2 h (Tue 7:00 AM)',
      'Codex',
    ]);
    // Every submenu line belongs to a heading, and the actions stay at the top level.
    expect(texts.filter((text) => !text.startsWith('--'))).toEqual(
      expect.arrayContaining(['Refresh now', 'Open Claude usage page', 'Open Codex usage page']),
    );
  });
});
