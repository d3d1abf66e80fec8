/**
 * The entries file of the usage index (index-file.ts), `usage-entries.bin` in Headroom's state folder: every deduped
 * entry, by account, written by the CLI and the GNOME extension alike. It holds the entry tables' own rows
 * (entry-table.ts) as bytes, so it is written and read without formatting or parsing a number: as JSON, formatting
 * some 3·10^6 numbers was most of the time a cold scan spent saving.
 *
 * Layout, in 8-byte words (Float64 in the machine's byte order; the first word reads back as another number in the
 * other order, so a file from a machine of the other order is refused like a damaged one):
 * - {@link MAGIC}, {@link VERSION}, the generation (the summary names the same), the account count A, and the
 *   header's length H in UTF-16 code units;
 * - A words: each account's entry count;
 * - the header, JSON `{"accounts": [account keys], "strings": [the rows' strings]}` as UTF-16 code units, padded
 *   to a whole word;
 * - each account's rows in turn ({@link ENTRY_ROW} words an entry).
 */
import * as z from 'zod/mini';
import { ENTRY_ROW, EntryTable, StringTable } from './entry-table.js';
import type { UsageIndex } from './index-file.js';

/** The entries file's name in the state folder. */
export const USAGE_ENTRIES_FILE = 'usage-entries.bin';

/** The first word of the file. */
const MAGIC = 0x4865616472 + 0.25;
const VERSION = 1;
/** Words before the account counts. */
const FIXED = 5;

const Header = z.object({ accounts: z.array(z.string()), strings: z.array(z.string()) });

/**
 * The file's bytes in pieces, made one at a time (the rows are views of the tables, not copies): a writer that writes
 * each piece before asking for the next never holds the file twice.
 */
export function* serializeEntriesParts(index: UsageIndex): Generator<Uint8Array> {
  const accounts = [...(index.entries ?? [])];
  // The tables of one scan share their strings; tables that do not are copied into one table first.
  const shared = accounts[0]?.[1].strings ?? new StringTable();
  const tables = accounts.map(([, table]) =>
    table.strings === shared ? table : EntryTable.of(table.toArray(), shared),
  );
  const header = JSON.stringify({ accounts: accounts.map(([account]) => account), strings: shared.strings });
  const headerWords = Math.ceil(header.length / 4);
  const head = new Float64Array(FIXED + tables.length + headerWords);
  head.set([MAGIC, VERSION, index.generation, tables.length, header.length]);
  tables.forEach((table, k) => (head[FIXED + k] = table.length));
  const text = new Uint16Array(head.buffer, (FIXED + tables.length) * 8, header.length);
  for (let i = 0; i < header.length; i++) text[i] = header.charCodeAt(i);
  yield new Uint8Array(head.buffer);
  for (const table of tables) {
    for (const rows of table.views(0, table.length))
      yield new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength);
  }
}

/** The whole file as one array (for a writer that takes the bytes at once). */
export function serializeEntries(index: UsageIndex): Uint8Array {
  const parts = [...serializeEntriesParts(index)];
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return bytes;
}

/**
 * Reads the entries file into `index.entries` (its pending entries are not applied here: the scan adds them
 * through its dedupe). False, and `index` unchanged, when the file is missing, malformed, of another version or
 * byte order, or of another generation than the summary's.
 */
export function parseEntriesInto(index: UsageIndex, bytes: Uint8Array | null): boolean {
  if (bytes === null || bytes.byteLength < FIXED * 8 || bytes.byteLength % 8 !== 0) return false;
  // A Float64Array view needs an offset of whole words: a misplaced array is copied first.
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const words = new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8);
  const [magic, version, generation, count, length] = words;
  if (magic !== MAGIC || version !== VERSION || generation !== index.generation) return false;
  if (!isCount(count) || !isCount(length)) return false;
  const rowsAt = FIXED + count + Math.ceil(length / 4);
  if (rowsAt > words.length) return false;
  const counts = Array.from(words.subarray(FIXED, FIXED + count));
  if (!counts.every(isCount) || rowsAt + counts.reduce((sum, n) => sum + n, 0) * ENTRY_ROW !== words.length) {
    return false;
  }
  const units = new Uint16Array(aligned.buffer, aligned.byteOffset + (FIXED + count) * 8, length);
  let text = '';
  for (let i = 0; i < length; i += 8192) text += String.fromCharCode(...units.subarray(i, i + 8192));
  let header;
  try {
    header = Header.safeParse(JSON.parse(text));
  } catch {
    return false;
  }
  if (!header.success || header.data.accounts.length !== count) return false;
  const strings = StringTable.of(header.data.strings);
  const entries = new Map<string, EntryTable>();
  let at = rowsAt;
  for (let k = 0; k < count; k++) {
    const end = at + counts[k]! * ENTRY_ROW;
    const table = EntryTable.fromRows(words.subarray(at, end), strings);
    if (!table) return false;
    entries.set(header.data.accounts[k]!, table);
    at = end;
  }
  index.entries = entries;
  return true;
}

function isCount(value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 0;
}
