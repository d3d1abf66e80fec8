/**
 * Small, platform-free parsing helpers shared by the providers: numbers, instants, JWT claims, base64, slugs.
 */
import * as z from 'zod/mini';
import { ZodMiniType } from 'zod/mini';
import { $ZodObjectJIT, $constructor, type $ZodLooseShape, type $strip } from 'zod/v4/core';

/**
 * zod/mini's `z.object` checked by zod's generated fast path: on first use zod compiles a parser for the shape (with
 * `new Function`, core `$ZodObjectJIT`, what classic zod's `z.object` is built on), about twice as fast as mini's
 * generic loop over the keys. For the schemas run once per line of a log (core/usage/entries.ts): on the 1.15 GB
 * benchmark corpus that is 0.4 s of CPU. Same results as `z.object`; where `z.config({ jitless: true })` is set (the
 * GNOME Shell extension) it runs mini's loop.
 */
export function fastObject<Shape extends $ZodLooseShape>(shape: Shape): z.ZodMiniObject<Shape, $strip> {
  return new FastObject({ type: 'object', shape }) as unknown as z.ZodMiniObject<Shape, $strip>;
}

// The two initialisers zod/mini's own object runs (mini schemas.js `ZodMiniObject`), with the JIT one first.
const FastObject: $constructor<z.ZodMiniObject> = $constructor('HeadroomFastObject', (inst, def) => {
  $ZodObjectJIT.init(inst as never, def as never);
  ZodMiniType.init(inst, def);
});

const PLAIN_DECIMAL = /^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$/;

/**
 * Zod schema for a number sent from outside (API bodies, log lines): a finite JSON number, or a string holding a
 * plain decimal number (`"37"`, `"12.5"`, `"-3"`, `"1790000000"`; surrounding spaces allowed), read as that number.
 * Anything else fails: non-numeric strings (`"lots"`, `""`), exponents and hex (`"1e3"`, `"0x10"`), `NaN`,
 * `Infinity`, and digit strings too long to be a finite double. Units are the field's own (percent, epoch seconds…).
 */
export const numberLike = z.union([
  z.number(),
  z.pipe(
    z.pipe(
      z.string().check(z.regex(PLAIN_DECIMAL)),
      z.transform((text: string) => Number(text)),
    ),
    z.number(),
  ),
]);

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an ISO-8601 instant such as `2026-07-03T00:30:00.282668+00:00` or `2025-12-25T12:00:00.000Z` into epoch ms.
 * Any number of fraction digits is accepted (truncated to ms); a missing offset means UTC. Returns null when the
 * value is not such a string. Written out by hand because JS engines differ on fractions beyond milliseconds.
 */
export function parseIsoInstant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = ISO_INSTANT.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return Number.isFinite(t) ? t : null;
}

/** The latest instant a JavaScript Date can hold, epoch ms (±100,000,000 days from 1970). */
const MAX_INSTANT_MS = 8.64e15;

/**
 * Converts epoch seconds (a number, or a numeric string, see {@link numberLike}) into epoch ms; null for anything
 * else, for zero or less and for instants no Date can hold.
 */
export function epochSecondsToMs(value: unknown): number | null {
  const parsed = numberLike.safeParse(value);
  const ms = parsed.success && parsed.data > 0 ? Math.round(parsed.data * 1000) : null;
  return ms !== null && ms <= MAX_INSTANT_MS ? ms : null;
}

/**
 * `JSON.parse` for the text of a file (credentials, auth.json, config.json, the state document): a leading UTF-8
 * byte-order mark, which some editors write, is skipped. Throws like `JSON.parse` on anything else that is not JSON.
 */
export function parseJsonText(text: string): unknown {
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes base64 or base64url (padding optional) into bytes; null when the input has foreign characters. */
function decodeBase64(input: string): Uint8Array | null {
  const clean = input.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE64_ALPHABET.indexOf(char);
    if (value < 0) return null;
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}

/** Decodes UTF-8 bytes (no TextDecoder outside the browser/Node globals). */
function decodeUtf8(bytes: Uint8Array): string {
  let escaped = '';
  for (const byte of bytes) escaped += `%${byte.toString(16).padStart(2, '0')}`;
  return decodeURIComponent(escaped);
}

/** Encodes text as UTF-8 bytes (no TextEncoder outside the browser/Node globals). */
function encodeUtf8(text: string): number[] {
  const bytes: number[] = [];
  for (const part of encodeURIComponent(text).split(/(%[0-9A-F]{2})/)) {
    if (part.startsWith('%')) bytes.push(parseInt(part.slice(1), 16));
    else for (const char of part) bytes.push(char.charCodeAt(0));
  }
  return bytes;
}

/** Encodes text (as UTF-8) in standard base64 with padding, as HTTP basic auth needs: "a:b" → "YTpi". */
export function encodeBase64(text: string): string {
  const bytes = encodeUtf8(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const count = Math.min(3, bytes.length - i);
    for (let j = 0; j < 4; j++) out += j <= count ? BASE64_ALPHABET[(chunk >> (18 - 6 * j)) & 63] : '=';
  }
  return out;
}

/**
 * Reads the claims of a JSON Web Token without verifying it (Headroom only reads its own user's tokens for display
 * hints such as the plan and account id). Returns null when the token is not a JWT or its payload is not an object.
 */
export function decodeJwtClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  const bytes = decodeBase64(parts[1]);
  if (!bytes) return null;
  try {
    const claims: unknown = JSON.parse(decodeUtf8(bytes));
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Lower-case slug of a display name: "GPT-5.3-Codex-Spark" → "gpt-5-3-codex-spark". */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Capitalises the first letter of each word of a plan id: "plus" → "Plus", "free_workspace" → "Free Workspace". */
export function titleCase(id: string): string {
  return id
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/** Joins path segments with `/`, collapsing duplicate separators. */
export function joinPath(...parts: string[]): string {
  return parts.join('/').replace(/\/{2,}/g, '/');
}
