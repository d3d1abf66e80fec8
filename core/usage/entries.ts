/**
 * Reading one log line into a usage entry: Claude Code transcripts (`<config dir>/projects/<project>/**\/*.jsonl`,
 * assistant lines carrying `message.usage`) and Codex rollouts (`$CODEX_HOME/sessions/**\/rollout-*.jsonl`,
 * `token_count` events). The line format and the rules follow what ccusage 20 accepts (ccusage/ccusage
 * `rust/adapters/claude`, `rust/adapters/codex`), so both tools count the same tokens.
 *
 * Speed: a scanner looks for {@link CLAUDE_MARKER} (Codex: codex-entries.ts `CODEX_LOGS.markers`) in the raw text
 * and parses only the lines holding it; such a line is then parsed whole with `JSON.parse` and checked with zod, so
 * skipping never changes a result (a line without the marker has no usage to count).
 */
import * as z from 'zod/mini';
import { fastObject } from '../parse.js';
import { checkInstant } from '../ranges.js';
import { responseKeys } from './key-filter.js';
import { type LogFormat, cliDirectories, expandPath } from './log-format.js';

/** Text every counted Claude line contains, exactly as Claude Code writes it (compact JSON). */
export const CLAUDE_MARKER = '"usage":{';

/** One model request's tokens, as counted. */
export interface UsageEntry {
  /** Request time, epoch ms. */
  at: number;
  model: string;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** Claude `speed: "fast"`: priced with the fast multiplier. */
  fast: boolean;
  /** The line carries a `speed` field at all (ccusage prefers such a copy on a tie). */
  hasSpeed: boolean;
  /** The project: the first folder under `projects/` (Claude), `codex` for every Codex rollout (CODEX_LOGS). */
  project: string;
  /** Session id (Claude `sessionId`, Codex the rollout's file name). */
  session: string;
  /**
   * Dedupe keys (Claude), as 53-bit hashes (key-filter.ts {@link responseKeys}): `id` of `message.id`, `key` of
   * `message.id` and `requestId`; both 0 for lines never deduped (Codex, or no `message.id`).
   */
  id: number;
  key: number;
  sidechain: boolean;
  /** Claude `costUSD` (Claude Code ≤ 1.0 wrote it); null when absent. */
  costUSD: number | null;
}

/** Tokens of one request: at most 10 billion (larger is corrupt data, and would overflow the sums). */
const tokens = z.number().check(z.nonnegative(), z.lte(1e10));
const count = z.optional(tokens);
const nonNullString = z.optional(z.string());

/**
 * The fields of a Claude transcript line that matter; unknown fields are tolerated (and not copied: the object
 * strips them, as z.object does). Run once per usage line: objects through zod's generated parser (parse.ts).
 */
const ClaudeLine = fastObject({
  timestamp: z.string(),
  sessionId: nonNullString,
  requestId: nonNullString,
  cwd: nonNullString,
  version: nonNullString,
  isSidechain: z.optional(z.boolean()),
  isApiErrorMessage: z.optional(z.boolean()),
  costUSD: z.optional(z.number()),
  message: fastObject({
    id: nonNullString,
    model: nonNullString,
    usage: fastObject({
      input_tokens: tokens,
      output_tokens: tokens,
      cache_creation_input_tokens: count,
      cache_read_input_tokens: count,
      cache_creation: z.optional(
        z.nullable(
          fastObject({
            ephemeral_5m_input_tokens: count,
            ephemeral_1h_input_tokens: count,
          }),
        ),
      ),
      speed: nonNullString,
    }),
  }),
});

const VERSION = /^\d+\.\d+\.\d+/;

/** Why a line was not counted. */
export type SkipReason = 'malformed' | 'synthetic' | 'invalid';

/**
 * Reads one Claude Code transcript line (text without its newline) into an entry. Returns a skip reason for a
 * line that is not JSON (`malformed`), a `<synthetic>` API-error line (`synthetic`), or one ccusage would not count
 * (`invalid`: no usage, a null in a checked field, a version not like `N.N.N`, a bad timestamp).
 *
 * @param project the project folder the file lies in; `session` the fallback session id (the file name).
 */
export function readClaudeLine(line: string, project: string, session: string): UsageEntry | SkipReason {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return 'malformed';
  }
  // Subagent progress (`type: "progress"`, `data.type: "agent_progress"`) embeds a copy of the subagent's assistant
  // line in `data.message`; ccusage counts it (deduped against the subagent's own file), with the outer envelope.
  const nested = (raw as { data?: { message?: { message?: unknown } } } | null)?.data?.message;
  if (nested && typeof nested === 'object' && nested.message && typeof raw === 'object') {
    const outer = raw as Record<string, unknown>;
    raw = { ...outer, ...nested, sessionId: outer.sessionId, version: outer.version, cwd: outer.cwd };
  }
  // API-error lines (`<synthetic>`, zero usage) carry nulls the schema refuses: name them first.
  if ((raw as { message?: { model?: unknown } } | null)?.message?.model === '<synthetic>') return 'synthetic';
  const parsed = ClaudeLine.safeParse(raw);
  if (!parsed.success) return 'invalid';
  const data = parsed.data;
  const message = data.message;
  if (message.model === '<synthetic>') return 'synthetic';
  if (data.version !== undefined && !VERSION.test(data.version)) return 'invalid';
  // A clock far off (years outside 2000–2100, core/ranges.ts) makes the line unusable, not the report.
  const at = checkInstant(Date.parse(data.timestamp));
  if (at === null) return 'invalid';
  const usage = message.usage;
  const split = usage.cache_creation;
  const cacheWrite5m = split ? (split.ephemeral_5m_input_tokens ?? 0) : (usage.cache_creation_input_tokens ?? 0);
  const cacheWrite1h = split ? (split.ephemeral_1h_input_tokens ?? 0) : 0;
  return {
    at,
    // ccusage reports fast-mode requests as a model of their own, `<model>-fast`.
    model: usage.speed === 'fast' ? `${message.model ?? 'unknown'}-fast` : (message.model ?? 'unknown'),
    input: usage.input_tokens,
    output: usage.output_tokens,
    cacheWrite5m,
    cacheWrite1h,
    cacheRead: usage.cache_read_input_tokens ?? 0,
    fast: usage.speed === 'fast',
    hasSpeed: usage.speed !== undefined,
    project,
    session: data.sessionId ?? session,
    ...responseKeys(message.id ?? '', data.requestId ?? ''),
    sidechain: data.isSidechain === true,
    costUSD: data.costUSD ?? null,
  };
}

/** The total tokens of an entry (all four classes), as ccusage compares copies. */
export function entryTotal(entry: UsageEntry): number {
  return entry.input + entry.output + entry.cacheWrite5m + entry.cacheWrite1h + entry.cacheRead;
}

/**
 * Claude Code's log format (as ccusage 20 finds it, ccusage/ccusage `rust/adapters/claude`): every `*.jsonl` under
 * `projects/` of each configuration directory, the project being the first folder below `projects/`. The default
 * account's directories are every entry of `CLAUDE_CONFIG_DIR` (comma-separated; an entry naming a `projects` folder
 * means its parent), else both `$XDG_CONFIG_HOME/claude` (default `~/.config/claude`) and `~/.claude`. Lines stand
 * alone: nothing is carried.
 */
export const CLAUDE_LOGS: LogFormat = {
  id: 'claude-code-transcripts',
  directories: (ports, account) =>
    cliDirectories(
      ports,
      account,
      'CLAUDE_CONFIG_DIR',
      (home) => [
        `${expandPath(ports.env.get('XDG_CONFIG_HOME') ?? `${home}/.config`, home)}/claude`,
        `${home}/.claude`,
      ],
      (path) => (path.endsWith('/projects') ? path.slice(0, -'/projects'.length) : path),
    ),
  folders: ['projects'],
  isLog: (name) => name.endsWith('.jsonl'),
  markers: [CLAUDE_MARKER],
  projectOf: (relative) => {
    const slash = relative.indexOf('/');
    return slash < 0 ? 'unknown' : relative.slice(0, slash);
  },
  open: (project, session) => ({
    read: (line) => readClaudeLine(line, project, session),
    carry: () => undefined,
  }),
};
