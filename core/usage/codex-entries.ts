/**
 * Codex rollouts (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`) as usage entries. Each model response writes a
 * `token_count` event (openai/codex `codex-rs/protocol/src/protocol.rs`, `TokenCountEvent`) whose `info` carries the
 * cumulative `total_token_usage` and the response's `last_token_usage`; about half of the events repeat an unchanged
 * total and must not be counted again (ccusage #884). The model comes from the latest `turn_context` line.
 *
 * Mapping onto the four classes: `cached_input_tokens` is part of `input_tokens`, so input = input − cached and
 * cache read = cached; output includes reasoning tokens. Codex reports no cache writes.
 */
import * as z from 'zod/mini';
import { checkInstant } from '../ranges.js';
import type { UsageEntry } from './entries.js';
import { type LineCarry, type LogFormat, cliDirectories } from './log-format.js';

/** Markers of the lines a Codex file needs: usage events and the model of each turn. */
export const CODEX_MARKERS: readonly string[] = ['"token_count"', '"turn_context"'];

/** The model assumed when a rollout names none (as ccusage does). */
export const CODEX_FALLBACK_MODEL = 'gpt-5';

/** Token counts up to 10 billion (larger is corrupt data, and would overflow the sums). */
const tokens = z.optional(z.number().check(z.nonnegative(), z.lte(1e10)));
const Usage = z.looseObject({
  input_tokens: tokens,
  cached_input_tokens: tokens,
  output_tokens: tokens,
  total_tokens: tokens,
});

const Line = z.looseObject({
  timestamp: z.string(),
  type: z.string(),
  payload: z.looseObject({
    type: z.optional(z.string()),
    model: z.optional(z.string()),
    info: z.optional(
      z.nullable(
        z.looseObject({
          total_token_usage: z.optional(z.nullable(Usage)),
          last_token_usage: z.optional(z.nullable(Usage)),
        }),
      ),
    ),
  }),
});

/**
 * Per-file reading state: the last counted cumulative total (`total_tokens`, -1 before the first) and the model of the
 * latest `turn_context`; saved in the index between scans as the file's {@link LineCarry}.
 */
export class CodexFileState {
  lastTotal: number;
  model: string | null;
  constructor(carry: LineCarry | null) {
    this.lastTotal = carry?.lastTotal ?? -1;
    this.model = carry?.model ?? null;
  }
  save(): LineCarry {
    return { lastTotal: this.lastTotal, model: this.model };
  }
}

type UsageCounts = z.infer<typeof Usage>;

/**
 * Reads one rollout line: a `turn_context` sets the model (returns null), a `token_count` with a changed total
 * returns an entry, an unchanged one null. Non-JSON is `malformed`, a line of another shape `invalid`.
 */
export function readCodexLine(
  line: string,
  state: CodexFileState,
  project: string,
  session: string,
): UsageEntry | 'malformed' | 'invalid' | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return 'malformed';
  }
  const parsed = Line.safeParse(raw);
  if (!parsed.success) return 'invalid';
  const { payload, type, timestamp } = parsed.data;
  if (type === 'turn_context') {
    if (payload.model) state.model = payload.model;
    return null;
  }
  if (payload.type !== 'token_count') return null;
  const total = payload.info?.total_token_usage ?? null;
  const last = payload.info?.last_token_usage ?? null;
  if (!total && !last) return null;
  const totalTokens = total ? sum(total) : -1;
  if (total && totalTokens === state.lastTotal) return null;
  let delta: { input: number; cached: number; output: number };
  if (last) delta = counts(last);
  else if (total) {
    const now = counts(total);
    delta = { input: now.input, cached: now.cached, output: now.output };
  } else return null;
  if (total) state.lastTotal = totalTokens;
  const at = checkInstant(Date.parse(timestamp));
  if (at === null) return 'invalid';
  const cached = Math.min(delta.cached, delta.input);
  if (delta.input === 0 && delta.output === 0) return null;
  return {
    at,
    model: state.model ?? CODEX_FALLBACK_MODEL,
    input: delta.input - cached,
    output: delta.output,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheRead: cached,
    fast: false,
    hasSpeed: false,
    project,
    session,
    id: 0,
    key: 0,
    sidechain: false,
    costUSD: null,
  };
}

function counts(usage: UsageCounts): { input: number; cached: number; output: number } {
  return { input: usage.input_tokens ?? 0, cached: usage.cached_input_tokens ?? 0, output: usage.output_tokens ?? 0 };
}

function sum(usage: UsageCounts): number {
  return usage.total_tokens ?? (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0);
}

/**
 * Codex's log format (as ccusage 20 finds it, ccusage/ccusage `rust/adapters/codex`): `rollout-*.jsonl` under
 * `sessions/` and `archived_sessions/` of each Codex home (the default account's: every entry of `$CODEX_HOME`,
 * comma-separated, else `~/.codex`). Rollouts are filed by date, not by project, so every rollout counts under its
 * provider's id as the project (`codex`). A file's running total and model are carried between scans
 * ({@link CodexFileState}).
 */
export const CODEX_LOGS: LogFormat = {
  id: 'codex-rollouts',
  directories: (ports, account) => cliDirectories(ports, account, 'CODEX_HOME', (home) => [`${home}/.codex`]),
  folders: ['sessions', 'archived_sessions'],
  isLog: (name) => name.startsWith('rollout-') && name.endsWith('.jsonl'),
  markers: CODEX_MARKERS,
  projectOf: (_relative, provider) => provider,
  open: (project, session, carry) => {
    const state = new CodexFileState(carry);
    return { read: (line) => readCodexLine(line, state, project, session), carry: () => state.save() };
  },
};
