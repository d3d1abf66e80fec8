/**
 * GNOME Shell's owner-tracked signal handlers (js/misc/signalTracking.js, installed on GObject.Object and on the
 * shell's EventEmitter by js/ui/environment.js): `connectObject(signal, handler, owner)` ties the handler to `owner`,
 * `disconnectObject(owner)` drops every handler of that owner at once, and the shell drops them itself when either
 * side is destroyed. Typed here because @girs declares them on EventEmitter only.
 */
import GLib from 'gi://GLib';

interface Tracked {
  connectObject(signal: string, handler: (...args: never[]) => unknown, owner: object): void;
  disconnectObject(owner: object): void;
}

/** Connects `handler` to `signal` of `target` (a GObject or a shell EventEmitter such as a PopupMenu) for `owner`. */
export function connectObject<A extends unknown[]>(
  target: object,
  signal: string,
  handler: (...args: A) => unknown,
  owner: object,
): void {
  (target as Tracked).connectObject(signal, handler as (...args: never[]) => unknown, owner);
}

/** Disconnects every handler `owner` connected on `target`; nothing when `target` is null. */
export function disconnectObject(target: object | null, owner: object): void {
  (target as Tracked | null)?.disconnectObject(owner);
}

/**
 * Names a main-loop source `[headroom] <what>`, as GNOME Shell names its own (GLib.Source.set_name_by_id), so that it
 * can be told apart in a profiler or a leak count. Returns `id`.
 */
export function named(id: number, what: string): number {
  GLib.Source.set_name_by_id(id, `[headroom] ${what}`);
  return id;
}
