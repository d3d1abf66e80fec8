/**
 * Files of 8-byte words: the format of the usage index's two files (index-file.ts, entries-file.ts). Numbers are
 * written and read as the machine holds them (Float64 in its byte order), never formatted or parsed: as JSON, most of
 * the time a refresh spent on the index went to reading and writing hundreds of thousands of numbers. The few strings
 * go in a JSON header.
 *
 * Layout, in words: the file's magic word, its version, the header's length H in UTF-16 code units, the section
 * count S, then S words: each section's length in words; the header as UTF-16 code units, padded to a whole word;
 * the sections in turn. The magic word reads back as another number in the other byte order, so a file from such a
 * machine is refused like a damaged one.
 */

/** Words before the section lengths. */
const FIXED = 4;

/**
 * The file's bytes in pieces, made one at a time: each section is given as pieces (views are written as they are,
 * not copied), so a writer that writes each piece before asking for the next never holds the file twice.
 */
export function* wordFileParts(
  magic: number,
  version: number,
  header: unknown,
  sections: readonly (readonly Float64Array[])[],
): Generator<Uint8Array> {
  const text = JSON.stringify(header);
  const head = new Float64Array(FIXED + sections.length + Math.ceil(text.length / 4));
  head.set([magic, version, text.length, sections.length]);
  sections.forEach((pieces, k) => (head[FIXED + k] = pieces.reduce((sum, piece) => sum + piece.length, 0)));
  const units = new Uint16Array(head.buffer, (FIXED + sections.length) * 8, text.length);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  yield new Uint8Array(head.buffer);
  for (const pieces of sections) {
    for (const piece of pieces) yield new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength);
  }
}

/** {@link wordFileParts} as one array (for a writer that takes the bytes at once). */
export function wordFile(
  magic: number,
  version: number,
  header: unknown,
  sections: readonly (readonly Float64Array[])[],
): Uint8Array {
  const parts = [...wordFileParts(magic, version, header, sections)];
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return bytes;
}

/**
 * Reads a word file: its header (parsed JSON, to be checked by the caller) and its sections (views of the bytes, or
 * of a copy when `bytes` does not start on a whole word). Null when the file is cut short or too long, of another
 * magic word (another file, or the other byte order) or version, or its header is not JSON.
 */
export function readWordFile(
  bytes: Uint8Array,
  magic: number,
  version: number,
): { header: unknown; sections: Float64Array[] } | null {
  if (bytes.byteLength < FIXED * 8 || bytes.byteLength % 8 !== 0) return null;
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const words = new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8);
  const [fileMagic, fileVersion, length, count] = words;
  if (fileMagic !== magic || fileVersion !== version || !isCount(length) || !isCount(count)) return null;
  let at = FIXED + count + Math.ceil(length / 4);
  if (at > words.length) return null;
  const lengths = Array.from(words.subarray(FIXED, FIXED + count));
  if (!lengths.every(isCount) || at + lengths.reduce((sum, n) => sum + n, 0) !== words.length) return null;
  const units = new Uint16Array(aligned.buffer, aligned.byteOffset + (FIXED + count) * 8, length);
  let text = '';
  // apply, not a spread: a spread iterates the typed array (about 5 times slower on a header of MBs).
  for (let i = 0; i < length; i += 8192) {
    text += String.fromCharCode.apply(null, units.subarray(i, i + 8192) as unknown as number[]);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    return null;
  }
  const sections = lengths.map((n) => {
    const section = words.subarray(at, at + n);
    at += n;
    return section;
  });
  return { header, sections };
}

/** Words holding 32-bit words (a bit set), the last one padded. */
export function wordsOf(values: Uint32Array): Float64Array {
  const words = new Float64Array(Math.ceil(values.length / 2));
  new Uint32Array(words.buffer).set(values);
  return words;
}

/** The first `count` 32-bit words of a section of {@link wordsOf}, copied; null when it holds fewer. */
export function uint32sOf(section: Float64Array, count: number): Uint32Array | null {
  if (count > section.length * 2) return null;
  return new Uint32Array(section.buffer, section.byteOffset, count).slice();
}

function isCount(value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 0;
}
