/**
 * How a provider's CLI writes its local usage logs, as one value per provider: where the logs lie under each of an
 * account's directories, which files hold usage, which text marks the lines worth parsing, which project a file
 * belongs to, and the line reader with what it carries from one line (and one scan) to the next. The scanner
 * (scan.ts) knows no provider: it looks a root's format up through the provider catalog (roots.ts `logFormatOf`).
 *
 * Claude Code's format is declared in entries.ts, Codex's in codex-entries.ts.
 */
import type { Account } from '../accounts.js';
import type { Ports } from '../ports.js';
import type { SkipReason, UsageEntry } from './entries.js';

/**
 * What a log's earlier lines leave for its later ones, kept in the index between scans (index-file.ts `FileMark`):
 * a running total and a name. Codex: the last counted cumulative `total_tokens` (-1 before the first) and the model
 * of the latest turn.
 */
export interface LineCarry {
  lastTotal: number;
  model: string | null;
}

/** Reads the usage lines of one file, in order. */
export interface LogReader {
  /**
   * One line (text without its newline, holding one of the format's markers): an entry, a skip reason (counted by
   * the scanner), or null for a line that counts nothing (a Codex `turn_context`, an unchanged total).
   */
  read(line: string): UsageEntry | SkipReason | null;
  /** What the lines read so far leave for the next scan; undefined for a format whose lines stand alone. */
  carry(): LineCarry | undefined;
}

/** One log format, as a CLI writes it; the catalog names each provider's (`usageLogs`). */
export interface LogFormat {
  /** Stable id, as the catalog's `usageLogs` names it, e.g. `claude-code-transcripts`. */
  readonly id: string;
  /** The provider's CLI directories of an account, absolute, without duplicates (its environment rules apply). */
  directories(ports: Pick<Ports, 'env'>, account: Account | null): string[];
  /** The folders under each directory that hold the logs, e.g. `projects`. */
  readonly folders: readonly string[];
  /** True when a file of this name (no folder) holds usage lines. */
  isLog(name: string): boolean;
  /** Text that every line the reader needs contains; other lines are never parsed. */
  readonly markers: readonly string[];
  /** The project of a file, from its path below the scanned folder (`a/b/c.jsonl`) and its provider's catalog id. */
  projectOf(relative: string, provider: string): string;
  /** A reader for one file; `carry` is what the index kept from reading its earlier bytes, null for a new file. */
  open(project: string, session: string, carry: LineCarry | null): LogReader;
}

/** `~` and trailing slashes of a configured path resolved against the home directory. */
export function expandPath(path: string, home: string): string {
  return path.replace(/^~(?=\/|$)/, home).replace(/\/+$/, '') || '/';
}

/**
 * A provider's CLI directories of an account, for {@link LogFormat.directories}: the account's own directory; for the
 * default account the comma-separated list in environment variable `variable` (each entry expanded, then through
 * `normalise`), else `defaults(home)` (absolute already). Without duplicates.
 */
export function cliDirectories(
  ports: Pick<Ports, 'env'>,
  account: Account | null,
  variable: string,
  defaults: (home: string) => string[],
  normalise: (path: string) => string = (path) => path,
): string[] {
  const home = ports.env.home;
  if (account?.directory) return [expandPath(account.directory, home)];
  const configured = ports.env.get(variable);
  const list = configured
    ? configured
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
        .map((entry) => normalise(expandPath(entry, home)))
    : defaults(home);
  return [...new Set(list)];
}
