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
    let text = '';
    for (const word of this.words) text += word.toString(16).padStart(8, '0');
    return text;
  }

  /** Reads {@link toHex}'s text; null when malformed. */
  static fromHex(hex: string, count: number): KeyFilter | null {
    if (hex.length % 8 !== 0 || hex.length === 0 || !/^[0-9a-f]*$/.test(hex)) return null;
    const words = new Uint32Array(hex.length / 8);
    for (let i = 0; i < words.length; i++) words[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
    return new KeyFilter(words, count);
  }
}

/** The filter keys of an entry: its full key and its id (for the sidechain rule); none without `message.id`. */
export function filterKeys(messageId: string, requestId: string): string[] {
  return messageId === '' ? [] : [`${messageId}\u0000${requestId}`, `id\u0000${messageId}`];
}
