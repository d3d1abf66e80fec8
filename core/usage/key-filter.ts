/**
 * Response ids as 53-bit hashes, and a Bloom filter over them: answers "certainly never seen" or "maybe seen". The
 * incremental scan uses it to know that a new line's response id is new without loading every kept entry; a
 * "maybe" sends the scan down the slow, exact path. 24 bits and 16 probes per key: a false "maybe" about once in
 * 50 000 lookups.
 */

const BITS_PER_KEY = 24;
const PROBES = 16;

/**
 * A 53-bit hash of a text (two independent 32-bit multiply–xorshift lanes over its UTF-16 units, 21 bits of one and
 * 32 of the other), never 0: an integer that a JS number holds exactly. The dedupe keys of usage entries
 * (`message.id`, and `message.id` NUL `requestId`) are kept as these hashes instead of strings, which takes about a
 * fifth of the memory. Two distinct keys share a hash with probability 2^-53; among n distinct responses some pair
 * collides with probability about n² / 2^54 (1e-5 for 500 000 responses, a year of heavy use), and a collision
 * would drop one of the two responses as a copy of the other.
 */
export function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ unit, 2654435761);
    h2 = Math.imul(h2 ^ unit, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hash = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return hash === 0 ? 1 : hash;
}

/**
 * The two dedupe keys of a Claude response as {@link hash53} hashes: `id` of `message.id`, `key` of `message.id` NUL
 * `requestId`; both 0 when the line has no `message.id` (such lines are never deduped).
 */
export function responseKeys(messageId: string, requestId: string): { id: number; key: number } {
  if (messageId === '') return { id: 0, key: 0 };
  return { id: hash53(messageId), key: hash53(`${messageId}\u0000${requestId}`) };
}

/** The two probe hashes of a numeric key (a {@link hash53} value): its low 32 bits, and a mix of all of it. */
function probes(key: number): [number, number] {
  const low = key >>> 0;
  const high = Math.floor(key / 4294967296);
  let b = Math.imul(low ^ Math.imul(high, 0x9e3779b9), 0x85ebca6b);
  b ^= b >>> 13;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return [low, (b | 1) >>> 0];
}

/** A hash of a text ({@link hash53}): the fingerprints of the index's file marks. */
export function fingerprint(text: string): number {
  return hash53(text);
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

  /** Adds a key: an entry's `id` ({@link responseKeys}). */
  add(key: number): void {
    const bits = this.words.length * 32;
    const [a, b] = probes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (a + Math.imul(i, b)) >>> 0;
      const at = bit % bits;
      this.words[at >>> 5]! |= 1 << (at & 31);
    }
    this.count++;
  }

  mayContain(key: number): boolean {
    const bits = this.words.length * 32;
    const [a, b] = probes(key);
    for (let i = 0; i < PROBES; i++) {
      const at = ((a + Math.imul(i, b)) >>> 0) % bits;
      if ((this.words[at >>> 5]! & (1 << (at & 31))) === 0) return false;
    }
    return true;
  }

  /** The bits as base64 (RFC 4648, with padding), the words in the platform's byte order (little-endian on every machine Headroom runs on; the index never leaves the machine). */
  toBase64(): string {
    const bytes = new Uint8Array(this.words.buffer, this.words.byteOffset, this.words.byteLength);
    const parts: string[] = [];
    for (let at = 0; at < bytes.length; at += 3 * 4096) {
      let part = '';
      const end = Math.min(bytes.length, at + 3 * 4096);
      for (let i = at; i < end; i += 3) {
        const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
        part +=
          B64[n >>> 18]! +
          B64[(n >>> 12) & 63]! +
          (i + 1 < end ? B64[(n >>> 6) & 63]! : '=') +
          (i + 2 < end ? B64[n & 63]! : '=');
      }
      parts.push(part);
    }
    return parts.join('');
  }

  /** Reads {@link toBase64}'s text (a whole number of 32-bit words); null when malformed. */
  static fromBase64(text: string, count: number): KeyFilter | null {
    if (text.length === 0 || text.length % 4 !== 0) return null;
    const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    const length = (text.length / 4) * 3 - padding;
    if (length % 4 !== 0) return null;
    const bytes = new Uint8Array(length);
    let out = 0;
    for (let i = 0; i < text.length; i += 4) {
      const a = B64_VALUE[text.charCodeAt(i)] ?? 255;
      const b = B64_VALUE[text.charCodeAt(i + 1)] ?? 255;
      const c = text[i + 2] === '=' && i + 4 === text.length ? 0 : (B64_VALUE[text.charCodeAt(i + 2)] ?? 255);
      const d = text[i + 3] === '=' && i + 4 === text.length ? 0 : (B64_VALUE[text.charCodeAt(i + 3)] ?? 255);
      if ((a | b | c | d) > 63) return null;
      const n = (a << 18) | (b << 12) | (c << 6) | d;
      if (out < length) bytes[out++] = n >>> 16;
      if (out < length) bytes[out++] = (n >>> 8) & 255;
      if (out < length) bytes[out++] = n & 255;
    }
    return new KeyFilter(new Uint32Array(bytes.buffer), count);
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

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The value of each base64 character by its code unit (255: not one). */
const B64_VALUE = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/** Two hex digits of each byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * The filter keys of an entry: its `id`, the hash of its `message.id` (a copy of a response always repeats it,
 * whatever its `requestId`, so one key per entry covers both dedupe rules); none without one.
 */
export function filterKeys(entry: { id: number }): number[] {
  return entry.id === 0 ? [] : [entry.id];
}
