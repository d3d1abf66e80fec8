/**
 * The provider catalog: what Headroom knows about each provider and its sources as plain data, without any fetch
 * code. Everything user-facing that lists providers is derived from it — the config.json schema and defaults, the
 * `HEADROOM_<PROVIDER>` variables, the GSettings values, the preferences page, the CLI help, the "no login found"
 * text and the renderers — so adding a provider means one provider file (fetch → parse → normalise under
 * `providers/`), one entry here and its tests.
 *
 * This module imports nothing, so the GNOME preferences process can load it without any provider code.
 */

/** One way of getting a provider's usage windows, as data. */
export interface SourceInfo {
  /** Stable id, as written in settings (`"source": "api"`) and stored documents. */
  readonly id: string;
  /** Human label, e.g. "OAuth API", "local logs". */
  readonly label: string;
  /**
   * True when the source calls a remote API: such sources are spared by the scheduler (minimum interval,
   * Retry-After, back-off, sign-in pause); local sources are read on every refresh.
   */
  readonly remote: boolean;
  /** A capture of this source older than this is shown as `stale`, ms; default 6 h (refresh.ts). */
  readonly staleAfterMs?: number;
  /**
   * True for a fallback: in `auto` it is asked only when every remote source before it could not be used (their
   * last attempt failed for a login problem or an error; see scheduler.ts `sourceWanted`), after them; chosen on its
   * own it is asked like any other source.
   */
  readonly fallback?: boolean;
  /**
   * For a fallback: its service has rate limits of its own (claude.ai's web session beside the OAuth API), so it is
   * also asked while the sources before it are rate-limited.
   */
  readonly ownRateLimits?: boolean;
  /**
   * The source's accounts are organisations (claude.ai), not configuration directories: it serves the default
   * account (with the first chosen organisation) and one extra account per further chosen organisation, which no
   * other source serves; it never serves an extra configuration directory. The choice is `providers.<id>.organizations`
   * in config.json (uuids or names).
   */
  readonly organizations?: boolean;
  /**
   * A source Headroom signs in to itself (its credentials in the keyring, one sign-in for the CLI and the GNOME
   * extension), and how the sign-in is done (`oauth`: Headroom's own OAuth login in the browser, at most one source
   * of a provider; `session-key`: a pasted web session key). Its `headroom login`/`logout` target follows from the
   * catalog ({@link signInSources}).
   */
  readonly signIn?: { readonly kind: 'oauth' | 'session-key' };
}

/**
 * How a provider's accounts are found: one per configuration directory of its CLI. The default directory is always
 * an account; the settings and the environment add more.
 */
export interface AccountDirectoriesInfo {
  /** The key under `providers.<id>` in config.json holding the extra directories, e.g. `configDirs`. */
  readonly configKey: string;
  /** The environment variable adding directories, `:`-separated, e.g. `HEADROOM_CLAUDE_CONFIG_DIRS`. */
  readonly env: string;
  /** The default directory as users know it, e.g. `~/.claude`. */
  readonly defaultDirectory: string;
  /** What these directories are, plural, for settings and help, e.g. "Claude Code configuration directories". */
  readonly nouns: string;
}

/** A provider, as data. */
export interface ProviderInfo {
  /** Stable id: `claude`, `codex`, `gemini`. */
  readonly id: string;
  /** Display name, e.g. "Claude". */
  readonly name: string;
  /** One-letter prefix for compact titles, e.g. "C". */
  readonly letter: string;
  /** The tool whose login Headroom reads, e.g. "Claude Code", for "no login found" texts. */
  readonly tool: string;
  /** The provider's own usage page, for the "Open usage page" link. */
  readonly usageUrl: string;
  /** How to connect this provider, one sentence, for the "nothing found" help. */
  readonly connectHelp: string;
  /** Sources in `auto` order: the first is the preferred one. */
  readonly sources: readonly SourceInfo[];
  /** How its accounts are found. */
  readonly directories: AccountDirectoriesInfo;
  /**
   * True for a tool many users never install (Gemini CLI): while it is not set up at all (every source `unused`) and
   * another provider is connected, it gets no section, title item or alert (refresh.ts).
   */
  readonly hiddenUntilSetUp?: boolean;
  /**
   * The format of the local logs the tool writes, which core/usage/ scans for tokens and cost (`headroom report`):
   * the id of a log format (core/usage/log-format.ts), e.g. `claude-code-transcripts`. Absent: no such logs.
   */
  readonly usageLogs?: string;
}

/** Every provider Headroom knows, in display order (the order of the dropdown sections and the default title). */
export const CATALOG: readonly ProviderInfo[] = [
  {
    id: 'claude',
    name: 'Claude',
    letter: 'C',
    tool: 'Claude Code',
    usageUrl: 'https://claude.ai/settings/usage',
    connectHelp: 'Run `claude` and sign in with your Claude Pro or Max plan.',
    // `auto` order: Headroom's own sign-in, then Claude Code's login, then (while neither works) the claude.ai session,
    // then the local status line.
    sources: [
      { id: 'oauth', label: "Headroom's own sign-in", remote: true, signIn: { kind: 'oauth' } },
      { id: 'api', label: 'OAuth API', remote: true },
      {
        id: 'web',
        label: 'claude.ai session',
        remote: true,
        fallback: true,
        ownRateLimits: true,
        organizations: true,
        signIn: { kind: 'session-key' },
      },
      { id: 'statusline', label: 'Claude Code status line', remote: false, staleAfterMs: 60 * 60 * 1000 },
    ],
    usageLogs: 'claude-code-transcripts',
    directories: {
      configKey: 'configDirs',
      env: 'HEADROOM_CLAUDE_CONFIG_DIRS',
      defaultDirectory: '~/.claude',
      nouns: 'Claude Code configuration directories',
    },
  },
  {
    id: 'codex',
    name: 'Codex',
    letter: 'X',
    tool: 'Codex',
    usageUrl: 'https://chatgpt.com/codex/settings/usage',
    connectHelp: 'Run `codex` and sign in with your ChatGPT plan.',
    sources: [
      { id: 'api', label: 'ChatGPT API', remote: true },
      { id: 'app-server', label: 'app-server', remote: true, fallback: true },
      { id: 'logs', label: 'local logs', remote: false },
    ],
    usageLogs: 'codex-rollouts',
    directories: {
      configKey: 'homes',
      env: 'HEADROOM_CODEX_HOMES',
      defaultDirectory: '~/.codex',
      nouns: 'Codex homes',
    },
  },
  {
    id: 'gemini',
    name: 'Gemini',
    letter: 'G',
    tool: 'Gemini CLI',
    usageUrl: 'https://codeassist.google/',
    connectHelp: 'Run `gemini` and choose Login with Google.',
    hiddenUntilSetUp: true,
    sources: [{ id: 'api', label: 'Code Assist API', remote: true }],
    directories: {
      configKey: 'configDirs',
      env: 'HEADROOM_GEMINI_CONFIG_DIRS',
      defaultDirectory: '~/.gemini',
      nouns: 'Gemini CLI configuration directories',
    },
  },
];

/** The catalog entry of a provider id; undefined for an id this build does not know. */
export function providerInfo(id: string): ProviderInfo | undefined {
  return CATALOG.find((provider) => provider.id === id);
}

/**
 * The sources Headroom signs in to itself (see {@link SourceInfo.signIn}), with their providers, in catalog order, and
 * the target of `headroom login <target>`/`logout <target>` for each: the provider's id for its OAuth sign-in
 * (`claude`), `<provider>-<source>` for another (`claude-web`).
 */
export function signInSources(): {
  provider: ProviderInfo;
  source: SourceInfo;
  signIn: { target: string; kind: NonNullable<SourceInfo['signIn']>['kind'] };
}[] {
  return CATALOG.flatMap((provider) =>
    provider.sources.flatMap((source) => {
      const kind = source.signIn?.kind;
      if (!kind) return [];
      return [
        { provider, source, signIn: { target: kind === 'oauth' ? provider.id : `${provider.id}-${source.id}`, kind } },
      ];
    }),
  );
}

/** The source of a provider whose accounts are organisations (Claude's `web`); undefined when it has none. */
export function organizationSource(info: ProviderInfo): SourceInfo | undefined {
  return info.sources.find((source) => source.organizations);
}

/** `HEADROOM_CLAUDE` for `claude`: the variable choosing a provider's source (`auto`, a source id, or `off`). */
export function providerEnvName(id: string): string {
  return `HEADROOM_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
