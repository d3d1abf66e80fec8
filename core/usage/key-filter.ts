/**
 * A Bloom filter over dedupe keys: answers "certainly never seen" or "maybe seen". The incremental scan uses it to
 * know that a new line's response id is new without loading every kept entry; a "maybe" sends the scan down the
 * slow, exact path. 24 bits and 16 probes per key: a false "maybe" about once in 50 000 lookups.
 */

const BITS_PER_KEY = 24;
const PROBES = 16;

/** 32-bit FNV-1a of a string's UTF-16 units, with a seed. */
function fnv(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A short hash of a text (two 32-bit FNV-1a hashes in base 36): the fingerprints of the index's file marks. */
export function fingerprint(text: string): string {
  return `${fnv(text, 0).toString(36)}.${fnv(text, 0x5bd1e995).toString(36)}`;
}

/** The filter. */
export class KeyFilter {
  readonly words: Uint32Array;
  /** Keys added. */
  count: number;

  private constructor(words: Uint32Array, count: number) {
    this.words = words;
    this.count = count;
  }

  /** An empty filter sized for `capacity` keys. */
  static forCapacity(capacity: number): KeyFilter {
    const bits = Math.max(1024, Math.ceil(Math.max(1, capacity) * BITS_PER_KEY));
    return new KeyFilter(new Uint32Array(Math.ceil(bits / 32)), 0);
  }

  /** True when more keys than it was sized for were added (the false-"maybe" rate then grows). */
  get full(): boolean {
    return this.count * BITS_PER_KEY > this.words.length * 32;
  }

  add(key: string): void {
    const bits = this.words.length * 32;
    const a = fnv(key, 0);
    const b = fnv(key, 0x9e3779b9) | 1;
    for (let i = 0; i < PROBES; i++) {
      const bit = (a + Math.imul(i, b)) >>> 0;
      const at = bit % bits;
      this.words[at >>> 5]! |= 1 << (at & 31);
    }
    this.count++;
  }

  mayContain(key: string): boolean {
    const bits = this.words.length * 32;
    const a = fnv(key, 0);
    const b = fnv(key, 0x9e3779b9) | 1;
    for (let i = 0; i < PROBES; i++) {
      const at = ((a + Math.imul(i, b)) >>> 0) % bits;
      if ((this.words[at >>> 5]! & (1 << (at & 31))) === 0) return false;
    }
    return true;
  }

  /** The bits as hex (8 digits a word). */
  toHex(): string {
    const parts = new Array<string>(this.words.length);
    for (let i = 0; i < this.words.length; i++) {
      const word = this.words[i]!;
      parts[i] = HEX[word >>> 24]! + HEX[(word >>> 16) & 255]! + HEX[(word >>> 8) & 255]! + HEX[word & 255]!;
    }
    return parts.join('');
  }

  /** Reads {@link toHex}'s text; null when malformed. */
  static fromHex(hex: string, count: number): KeyFilter | null {
    if (hex.length % 8 !== 0 || hex.length === 0) return null;
    const words = new Uint32Array(hex.length / 8);
    for (let i = 0; i < words.length; i++) {
      const word = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
      if (!(word >= 0)) return null;
      words[i] = word;
    }
    return new KeyFilter(words, count);
  }
}

/** Two hex digits of each byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * The filter key of an entry: its `message.id` (a copy of a response always repeats it, whatever its `requestId`,
 * so one key per entry covers both dedupe rules); none without one.
 */
export function filterKeys(messageId: string, _requestId: string): string[] {
  return messageId === '' ? [] : [messageId];
}
