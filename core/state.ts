/**
 * The state document, `state.json` in Headroom's state directory (`~/.local/state/headroom/`), shared by the
 * SwiftBar plugin/CLI and the GNOME extension: per account and source the last good capture, the last failure and
 * the back-off (core/memory.ts), and what has been notified (core/alerts.ts). Holds no secrets.
 *
 * Text: `{"version":1,"memory":{…},"alerts":{…}}`. Read entry by entry (core/stored.ts): a document from an older
 * release reads as it was; one from a newer release is read as far as it is understood, and what is not understood
 * (top-level keys, account, source, window and sign-in entries) is written back as it was, with its version, so a
 * newer Headroom sharing the file loses nothing.
 */
import { type AlertMemory, emptyAlertMemory, parseAlertMemory, serializeAlertMemory } from './alerts.js';
import { type Memory, parseMemory, serializeMemory } from './memory.js';
import { parseJsonText } from './parse.js';
import { asObject } from './stored.js';

/** The schema version this build writes; a document of a higher one is read as far as it is understood. */
export const STATE_VERSION = 1;

/** What Headroom keeps between refreshes. Holds no secrets. */
export interface StateDocument {
  /** Per account and source: last good capture, last failure, back-off. */
  memory: Memory;
  /** What has been notified in which window cycle. */
  alerts: AlertMemory;
  /** What this build read but did not understand, to be written back unchanged; absent in a new state. */
  stored?: StoredRemainder;
}

/** The parts of a state document this build did not understand. */
export interface StoredRemainder {
  /** The document's version (kept when higher than {@link STATE_VERSION}). */
  version: number;
  /** Top-level keys other than `version`, `memory` and `alerts`. */
  top: Record<string, unknown>;
  /** Account entries of `memory` that are not readable. */
  memory: Record<string, unknown>;
}

/** An empty state: the first run. */
export function emptyState(): StateDocument {
  return { memory: {}, alerts: emptyAlertMemory() };
}

/** The state file's text, one line of JSON. */
export function serializeState(state: StateDocument): string {
  const stored = state.stored;
  return `${JSON.stringify({
    ...stored?.top,
    version: Math.max(STATE_VERSION, stored?.version ?? STATE_VERSION),
    memory: serializeMemory(state.memory, stored?.memory),
    alerts: serializeAlertMemory(state.alerts),
  })}\n`;
}

/**
 * Reads a state file's text (null when there is none). Not JSON, not an object, or without a version ≥ 1: an empty
 * state. Never throws.
 */
export function deserializeState(text: string | null): StateDocument {
  let document: Record<string, unknown> | null;
  try {
    document = asObject(parseJsonText(text ?? ''));
  } catch {
    return emptyState();
  }
  const version = document?.version;
  if (!document || typeof version !== 'number' || !Number.isFinite(version) || version < 1) return emptyState();
  const { memory, alerts, version: _version, ...top } = document;
  const parsed = parseMemory(memory);
  return {
    memory: parsed.memory,
    alerts: parseAlertMemory(alerts),
    stored: { version, top, memory: parsed.foreign },
  };
}
