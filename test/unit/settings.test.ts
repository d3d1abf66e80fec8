import { DEFAULT_ALERT_SETTINGS } from '../../core/alert-settings.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, configFilePath, loadSettings, resolveSettings } from '../../core/settings.js';
import { fakePorts } from '../support/fake-ports.js';
import { providerSettings } from '../support/builders.js';
import { DEFAULT_TELEMETRY_SETTINGS } from '../../core/telemetry/settings.js';

const CONFIG = '/home/dev/.config/headroom/config.json';

/** An environment lookup over a plain object. */
function env(values: Record<string, string> = {}): (name: string) => string | undefined {
  return (name) => values[name];
}

describe('resolveSettings', () => {
  it('gives the defaults with no file and no environment', () => {
    const { settings, problems } = resolveSettings(undefined, env());
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      providers: {
        claude: providerSettings('auto', true),
        codex: providerSettings('auto', true),
        gemini: providerSettings('auto', true),
      },
      display: 'used',
      title: ['claude.session', 'codex.session', 'gemini.session'],
      titlePace: false,
      minFetchIntervalSeconds: 60,
      locale: undefined,
      alerts: DEFAULT_ALERT_SETTINGS,
      telemetry: DEFAULT_TELEMETRY_SETTINGS,
    });
  });

  it('returns a copy: changing it never changes the defaults', () => {
    const { settings } = resolveSettings(undefined, env());
    settings.providers.claude!.enabled = false;
    settings.title.push('codex.max');
    expect(DEFAULT_SETTINGS.providers.claude!.enabled).toBe(true);
    expect(DEFAULT_SETTINGS.title).toEqual(['claude.session', 'codex.session', 'gemini.session']);
  });

  it('reads every value of the config file', () => {
    const { settings, problems } = resolveSettings(
      {
        providers: {
          claude: { enabled: false },
          codex: { source: 'logs' },
          gemini: { configDirs: ['/w/.gemini-work'] },
        },
        display: 'remaining',
        title: ['codex.weekly', 'claude.max'],
        titlePace: true,
        minFetchIntervalSeconds: 120,
        locale: 'de-DE',
        alerts: { thresholds: [50, 75], quietHours: { start: '22:00', end: '07:00' } },
        telemetry: {
          url: 'https://metrics.example.com/prometheus/',
          range: '7d',
          user: 'alice@example.com',
          auth: { type: 'basic', username: 'alice' },
        },
      },
      env(),
    );
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      providers: {
        claude: providerSettings('auto', false),
        codex: providerSettings('logs', true),
        gemini: { ...providerSettings('auto', true), directories: ['/w/.gemini-work'] },
      },
      display: 'remaining',
      title: ['codex.weekly', 'claude.max'],
      titlePace: true,
      minFetchIntervalSeconds: 120,
      locale: 'de-DE',
      alerts: {
        ...DEFAULT_ALERT_SETTINGS,
        thresholds: [50, 75],
        quietHours: { start: '22:00', end: '07:00' },
        display: 'remaining',
      },
      telemetry: {
        ...DEFAULT_TELEMETRY_SETTINGS,
        url: 'https://metrics.example.com/prometheus',
        range: '7d',
        user: 'alice@example.com',
        auth: { type: 'basic', username: 'alice' },
      },
    });
  });

  it('ignores unknown keys in the file', () => {
    const { settings, problems } = resolveSettings(
      { display: 'remaining', theme: 'dark', providers: { gemini: {} } },
      env(),
    );
    expect(problems).toEqual([]);
    expect(settings.display).toBe('remaining');
  });

  it('lets the environment win over the file', () => {
    const { settings, problems } = resolveSettings(
      { display: 'remaining', title: ['codex.weekly'], locale: 'de-DE', providers: { codex: { source: 'logs' } } },
      env({
        HEADROOM_DISPLAY: 'used',
        HEADROOM_TITLE: ' claude.weekly , ,codex.max ',
        HEADROOM_LOCALE: 'en-GB',
        HEADROOM_CODEX: 'api',
      }),
    );
    expect(problems).toEqual([]);
    expect(settings.display).toBe('used');
    expect(settings.title).toEqual(['claude.weekly', 'codex.max']);
    expect(settings.locale).toBe('en-GB');
    expect(settings.providers.codex).toEqual(providerSettings('api', true));
  });

  it('turns a provider off with HEADROOM_CLAUDE=off', () => {
    const { settings, problems } = resolveSettings(undefined, env({ HEADROOM_CLAUDE: 'off' }));
    expect(problems).toEqual([]);
    expect(settings.providers.claude!.enabled).toBe(false);
    expect(settings.providers.codex!.enabled).toBe(true);
  });

  it('turns a provider off from the environment even when the file chose a source', () => {
    const { settings } = resolveSettings({ providers: { codex: { source: 'logs' } } }, env({ HEADROOM_CODEX: 'off' }));
    expect(settings.providers.codex!.enabled).toBe(false);
  });

  it('forces Codex onto its logs with HEADROOM_CODEX=logs', () => {
    const { settings, problems } = resolveSettings(undefined, env({ HEADROOM_CODEX: 'logs' }));
    expect(problems).toEqual([]);
    expect(settings.providers.codex).toEqual(providerSettings('logs', true));
  });

  it('turns a provider back on from the environment', () => {
    const { settings } = resolveSettings(
      { providers: { claude: { enabled: false } } },
      env({ HEADROOM_CLAUDE: 'auto' }),
    );
    expect(settings.providers.claude).toEqual(providerSettings('auto', true));
  });

  it('rejects HEADROOM_CLAUDE=logs: Claude has no logs source', () => {
    const { settings, problems } = resolveSettings(undefined, env({ HEADROOM_CLAUDE: 'logs' }));
    expect(problems).toEqual(['HEADROOM_CLAUDE: expected auto, oauth, api, web, statusline, off']);
    expect(settings.providers.claude).toEqual(providerSettings('auto', true));
  });

  it('rejects a logs source for Claude in the file too, keeping the rest', () => {
    const { settings, problems } = resolveSettings(
      { providers: { claude: { source: 'logs' } }, display: 'remaining' },
      env(),
    );
    expect(problems).toEqual(['config.json providers.claude.source: expected auto, oauth, api, web, statusline']);
    expect(settings.providers.claude!.source).toBe('auto');
    expect(settings.display).toBe('remaining');
  });

  it('reads HEADROOM_GEMINI and HEADROOM_GEMINI_CONFIG_DIRS like the other providers', () => {
    const off = resolveSettings(undefined, env({ HEADROOM_GEMINI: 'off' }));
    expect(off.problems).toEqual([]);
    expect(off.settings.providers.gemini!.enabled).toBe(false);
    const dirs = resolveSettings(undefined, env({ HEADROOM_GEMINI_CONFIG_DIRS: '~/.gemini-work' }), '/home/dev');
    expect(dirs.settings.providers.gemini!.directories).toEqual(['/home/dev/.gemini-work']);
    expect(resolveSettings(undefined, env({ HEADROOM_GEMINI: 'logs' })).problems).toEqual([
      'HEADROOM_GEMINI: expected auto, api, off',
    ]);
  });

  it('rejects an unknown source word', () => {
    const { settings, problems } = resolveSettings(undefined, env({ HEADROOM_CODEX: 'web' }));
    expect(problems).toEqual(['HEADROOM_CODEX: expected auto, api, app-server, logs, off']);
    expect(settings.providers.codex).toEqual(providerSettings('auto', true));
  });

  // BUG (core/settings.ts applySource): choosing a source always sets `enabled: true`, and resolveSettings applies
  // the file's `source` after its `enabled`, so `{"codex":{"enabled":false,"source":"logs"}}` shows Codex anyway.
  it('keeps a provider disabled in the file when the file also names its source', () => {
    const { settings } = resolveSettings({ providers: { codex: providerSettings('logs', false) } }, env());
    expect(settings.providers.codex!.enabled).toBe(false);
  });

  it.each(['left', 'USED', ''])('reports a bad HEADROOM_DISPLAY (%j) and keeps the default', (value) => {
    const { settings, problems } = resolveSettings(undefined, env({ HEADROOM_DISPLAY: value }));
    expect(problems).toEqual(['HEADROOM_DISPLAY: expected used or remaining']);
    expect(settings.display).toBe('used');
  });

  it.each(['de_DE', 'en-US-u-nu-', '!!', 'x'])('reports a bad locale (%j) and uses the system one', (value) => {
    const { settings, problems } = resolveSettings(undefined, env({ HEADROOM_LOCALE: value }));
    expect(problems).toEqual([`locale ${JSON.stringify(value)} is not a valid BCP 47 tag; using the system's`]);
    expect(settings.locale).toBeUndefined();
  });

  it('reports a bad locale from the file as well', () => {
    const { settings, problems } = resolveSettings({ locale: 'en_GB.UTF-8' }, env());
    expect(problems).toEqual([`locale "en_GB.UTF-8" is not a valid BCP 47 tag; using the system's`]);
    expect(settings.locale).toBeUndefined();
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'display=remaining'],
    ['null', null],
  ])('ignores a config file that is %s', (_name, file) => {
    const { settings, problems } = resolveSettings(file, env());
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(problems).toEqual(['config.json: not a JSON object; using defaults']);
  });

  it.each([
    ['a bad display', { display: 'left', title: ['codex.max'] }, 'display'],
    ['a too short interval', { minFetchIntervalSeconds: 5, title: ['codex.max'] }, 'minFetchIntervalSeconds'],
    ['a title that is a string', { title: 'claude.session', display: 'remaining' }, 'title'],
    [
      'a source that is a number',
      { providers: { codex: { source: 7 } }, title: ['codex.max'] },
      'providers.codex.source',
    ],
    [
      'enabled as a string',
      { providers: { claude: { enabled: 'no' } }, title: ['codex.max'] },
      'providers.claude.enabled',
    ],
  ])('ignores only the invalid key of a config file with %s, reporting where', (_name, file, path) => {
    const { settings, problems } = resolveSettings(file, env());
    expect(problems).toEqual([`config.json: ignored invalid ${path}`]);
    const key = path.split('.')[0] as keyof typeof DEFAULT_SETTINGS;
    expect(settings[key]).toEqual(DEFAULT_SETTINGS[key]);
    if (key !== 'title') expect(settings.title).toEqual(['codex.max']);
    else expect(settings.display).toBe('remaining');
  });

  it('still applies the environment when the file is ignored', () => {
    const { settings, problems } = resolveSettings([], env({ HEADROOM_DISPLAY: 'remaining' }));
    expect(settings.display).toBe('remaining');
    expect(problems).toHaveLength(1);
  });

  it('collects several problems at once', () => {
    const { problems } = resolveSettings(
      { display: 'x' },
      env({ HEADROOM_DISPLAY: 'x', HEADROOM_CLAUDE: 'logs', HEADROOM_LOCALE: '!!' }),
    );
    expect(problems).toHaveLength(4);
  });
});

describe('configFilePath', () => {
  it('defaults to ~/.config/headroom/config.json and follows XDG_CONFIG_HOME', () => {
    expect(configFilePath(fakePorts())).toBe(CONFIG);
    expect(configFilePath(fakePorts({ env: { XDG_CONFIG_HOME: '/cfg/' } }))).toBe('/cfg/headroom/config.json');
  });
});

describe('loadSettings', () => {
  it('reads the config file and then the environment', async () => {
    const ports = fakePorts({
      files: { [CONFIG]: JSON.stringify({ display: 'remaining', providers: { codex: { source: 'logs' } } }) },
      env: { HEADROOM_CLAUDE: 'off' },
    });
    const { settings, problems } = await loadSettings(ports);
    expect(problems).toEqual([]);
    expect(settings.display).toBe('remaining');
    expect(settings.providers.codex!.source).toBe('logs');
    expect(settings.providers.claude!.enabled).toBe(false);
  });

  it('uses the defaults without a config file, silently', async () => {
    expect(await loadSettings(fakePorts())).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
  });

  it('reports an unreadable config file by path and uses the defaults', async () => {
    const { settings, problems } = await loadSettings(fakePorts({ unreadable: [CONFIG] }));
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(problems).toEqual([`${CONFIG}: not readable JSON; using defaults`]);
  });

  it('reports a config file that is not JSON by path, and still applies the environment', async () => {
    const { settings, problems } = await loadSettings(
      fakePorts({
        files: { '/x/headroom/config.json': '{ display: "remaining", }' },
        env: { XDG_CONFIG_HOME: '/x', HEADROOM_DISPLAY: 'remaining' },
      }),
    );
    expect(problems).toEqual(['/x/headroom/config.json: not readable JSON; using defaults']);
    expect(settings.display).toBe('remaining');
  });

  it('reports a JSON file of the wrong shape', async () => {
    const { settings, problems } = await loadSettings(fakePorts({ files: { [CONFIG]: '"remaining"' } }));
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(problems).toEqual(['config.json: not a JSON object; using defaults']);
  });
});

describe('accounts in the settings', () => {
  it('reads extra directories from config.json and the environment, expanding ~ and adding without duplicates', () => {
    const { settings, problems } = resolveSettings(
      { providers: { claude: { configDirs: ['~/.claude-work', 'relative/dir'], labels: { 'claude-work': 'Work' } } } },
      env({ HEADROOM_CLAUDE_CONFIG_DIRS: '/home/me/.claude-work:/srv/claude-ci', HEADROOM_CODEX_HOMES: '~/.codex-b' }),
      '/home/me',
    );
    expect(settings.providers.claude!.directories).toEqual(['/home/me/.claude-work', '/srv/claude-ci']);
    expect(settings.providers.claude!.labels).toEqual({ 'claude-work': 'Work' });
    expect(settings.providers.codex!.directories).toEqual(['/home/me/.codex-b']);
    expect(problems).toEqual([
      'config.json providers.claude.configDirs: "relative/dir" is not an absolute path; ignored',
    ]);
  });

  it('keeps the rest of a provider entry when its directory list is malformed', () => {
    const { settings, problems } = resolveSettings({ providers: { codex: { homes: '/x', source: 'logs' } } }, env());
    expect(settings.providers.codex).toEqual(providerSettings('logs'));
    expect(problems).toEqual(['config.json: ignored invalid providers.codex.homes']);
  });
});
