import { describe, expect, it } from 'vitest';
import { MAX_WATCHED_PATHS, expandWatchTargets, liveWatchTargets } from '../../core/live.js';
import { DEFAULT_SETTINGS, type Settings } from '../../core/settings.js';
import { fakePorts } from '../support/fake-ports.js';
import { providerSettings } from '../support/builders.js';

const HOME = '/home/dev';

function settings(change: (s: Settings) => void = () => {}): Settings {
  const s: Settings = structuredClone(DEFAULT_SETTINGS);
  change(s);
  return s;
}

describe('live updates: what is watched', () => {
  it("names Codex's sessions, Claude Code's projects, the status-line record and Gemini CLI's login files of every enabled account", () => {
    const ports = fakePorts({ home: HOME, env: { XDG_STATE_HOME: '/state' } });
    const targets = liveWatchTargets(
      settings((s) => {
        s.providers.codex = { ...providerSettings(), directories: ['/home/dev/.codex-work'] };
      }),
      ports.env,
    );
    expect(targets).toEqual([
      { path: '/state/headroom/statusline.json', depth: 0, newestOnly: false },
      { path: '/home/dev/.codex/sessions', depth: 3, newestOnly: true },
      { path: '/home/dev/.codex-work/sessions', depth: 3, newestOnly: true },
      { path: '/home/dev/.gemini/settings.json', depth: 0, newestOnly: false },
      { path: '/home/dev/.gemini/oauth_creds.json', depth: 0, newestOnly: false },
      // Every Claude Code project folder is watched: last, so it cannot crowd out the others.
      { path: '/home/dev/.claude/projects', depth: 1, newestOnly: false },
    ]);
  });

  it('follows CODEX_HOME and CLAUDE_CONFIG_DIR, and leaves out a disabled provider', () => {
    const ports = fakePorts({ home: HOME, env: { CODEX_HOME: '/c', CLAUDE_CONFIG_DIR: '/cc' } });
    const codexOff = settings((s) => {
      s.providers.codex = providerSettings('auto', false);
      s.providers.gemini = providerSettings('auto', false);
    });
    expect(liveWatchTargets(codexOff, ports.env).map((t) => t.path)).toEqual([
      '/home/dev/.local/state/headroom/statusline.json',
      '/cc/projects',
    ]);
    expect(liveWatchTargets(settings(), ports.env)[1]?.path).toBe('/c/sessions');
  });

  it("expands Codex's sessions down the newest day only, and every Claude Code project", async () => {
    const ports = fakePorts({
      files: {
        '/s/2025/12/31/rollout-a.jsonl': '',
        '/s/2026/11/21/rollout-b.jsonl': '',
        '/s/2026/11/22/rollout-c.jsonl': '',
        '/p/-home-dev-a/x.jsonl': '',
        '/p/-home-dev-b/y.jsonl': '',
      },
    });
    const paths = await expandWatchTargets(
      [
        { path: '/s', depth: 3, newestOnly: true },
        { path: '/p', depth: 1, newestOnly: false },
        { path: '/missing', depth: 1, newestOnly: false },
        { path: '/state/statusline.json', depth: 0, newestOnly: false },
      ],
      (path) => ports.files.list(path),
    );
    expect(paths).toEqual([
      '/s',
      '/s/2026',
      '/s/2026/11',
      '/s/2026/11/22',
      '/p',
      '/p/-home-dev-a',
      '/p/-home-dev-b',
      '/state/statusline.json',
    ]);
  });

  it(`watches at most ${MAX_WATCHED_PATHS} paths`, async () => {
    const files = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`/p/project-${i}/t.jsonl`, '']));
    const ports = fakePorts({ files });
    const paths = await expandWatchTargets([{ path: '/p', depth: 1, newestOnly: false }], (path) =>
      ports.files.list(path),
    );
    expect(paths).toHaveLength(MAX_WATCHED_PATHS);
  });
});
