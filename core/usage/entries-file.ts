/**
 * The entries file of the usage index (index-file.ts), `usage-entries.bin` in Headroom's state folder: every deduped
 * entry, by account, written by the CLI and the GNOME extension alike. A word file (word-file.ts) whose sections are
 * the entry tables' own rows (entry-table.ts), one section an account, so it is written from views of the tables and
 * read without parsing a number; its header is JSON `{"generation", "accounts": [account keys], "strings": [the rows'
 * strings]}`.
 */
import * as z from 'zod/mini';
import { EntryTable, StringTable } from './entry-table.js';
import type { UsageIndex } from './index-file.js';
import { readWordFile, wordFile, wordFileParts } from './word-file.js';

/** The entries file's name in the state folder. */
export const USAGE_ENTRIES_FILE = 'usage-entries.bin';

/** The first word of the file (word-file.ts). */
const MAGIC = 0x4865616472 + 0.25;
const VERSION = 1;

const Header = z.object({
  generation: z.number(),
  accounts: z.array(z.string()),
  strings: z.array(z.string()),
});

/** The file's header and sections (word-file.ts): one section of rows an account. */
function layout(index: UsageIndex): [unknown, Float64Array[][]] {
  const accounts = [...(index.entries ?? [])];
  // The tables of one scan share their strings; tables that do not are copied into one table first.
  const shared = accounts[0]?.[1].strings ?? new StringTable();
  const tables = accounts.map(([, table]) =>
    table.strings === shared ? table : EntryTable.of(table.toArray(), shared),
  );
  const header = {
    generation: index.generation,
    accounts: accounts.map(([account]) => account),
    strings: shared.strings,
  };
  return [header, tables.map((table) => table.views(0, table.length))];
}

/** The file's bytes in pieces (word-file.ts {@link wordFileParts}): the rows are views of the tables, not copies. */
export function serializeEntriesParts(index: UsageIndex): Generator<Uint8Array> {
  return wordFileParts(MAGIC, VERSION, ...layout(index));
}

/** The whole file as one array (for a writer that takes the bytes at once). */
export function serializeEntries(index: UsageIndex): Uint8Array {
  return wordFile(MAGIC, VERSION, ...layout(index));
}

/**
 * Reads the entries file into `index.entries` (its pending entries are not applied here: the scan adds them
 * through its dedupe). False, and `index` unchanged, when the file is missing, malformed (a row's values are checked
 * as entry-table.ts `fromRows` does), of another version or byte order, or of another generation than the summary's.
 */
export function parseEntriesInto(index: UsageIndex, bytes: Uint8Array | null): boolean {
  const file = bytes && readWordFile(bytes, MAGIC, VERSION);
  if (!file) return false;
  const header = Header.safeParse(file.header);
  if (!header.success || header.data.generation !== index.generation) return false;
  if (header.data.accounts.length !== file.sections.length) return false;
  const strings = StringTable.of(header.data.strings);
  const entries = new Map<string, EntryTable>();
  for (const [k, account] of header.data.accounts.entries()) {
    const table = EntryTable.fromRows(file.sections[k]!, strings);
    if (!table) return false;
    entries.set(account, table);
  }
  index.entries = entries;
  return true;
}
