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

  /** A filter of these bits (as {@link words} holds them) and key count; null when malformed. */
  static fromWords(words: Uint32Array, count: number): KeyFilter | null {
    if (words.length === 0 || !Number.isInteger(count) || count < 0) return null;
    return new KeyFilter(words, count);
  }
}

/**
 * The filter keys of an entry: its `id`, the hash of its `message.id` (a copy of a response always repeats it,
 * whatever its `requestId`, so one key per entry covers both dedupe rules); none without one.
 */
export function filterKeys(entry: { id: number }): number[] {
  return entry.id === 0 ? [] : [entry.id];
}
