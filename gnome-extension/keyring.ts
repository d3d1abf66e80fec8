/**
 * Headroom's own secrets in the Secret Service (GNOME Keyring) through libsecret, as core's {@link SecretStore}.
 * Every call is async: gnome-shell draws the keyring's unlock prompt itself, so a sync call would block the loop that
 * must show it.
 */
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Secret from 'gi://Secret';
import type { KeyringProblem, SecretKey, SecretResult, SecretStore } from '../core/secrets.js';
import { KEYRING_PROBLEMS } from '../core/secrets.js';

Gio._promisify(Secret, 'password_lookup', 'password_lookup_finish');
Gio._promisify(Secret, 'password_store', 'password_store_finish');
Gio._promisify(Secret, 'password_clear', 'password_clear_finish');
Gio._promisify(Secret.Service, 'get', 'get_finish');
Gio._promisify(Secret.Collection, 'for_alias', 'for_alias_finish');

const SCHEMA_NAME = 'org.gnome.shell.extensions.headroom';

/** D-Bus errors that mean nothing provides org.freedesktop.secrets. */
const NO_SERVICE = [
  Gio.DBusError.SERVICE_UNKNOWN,
  Gio.DBusError.NAME_HAS_NO_OWNER,
  Gio.DBusError.SPAWN_EXEC_FAILED,
  Gio.DBusError.SPAWN_CHILD_EXITED,
];

/** I/O errors of connecting to the session bus ("Cannot autolaunch D-Bus without X11 $DISPLAY", no socket). */
const NO_BUS = [Gio.IOErrorEnum.FAILED, Gio.IOErrorEnum.NOT_FOUND, Gio.IOErrorEnum.CONNECTION_REFUSED];

function failure<T>(problem: KeyringProblem): SecretResult<T> {
  return { ok: false, problem, ...KEYRING_PROBLEMS[problem] };
}

function problemOf(error: unknown): KeyringProblem {
  if (!(error instanceof GLib.Error)) return 'error';
  if (
    NO_SERVICE.some((code) => error.matches(Gio.DBusError, code)) ||
    NO_BUS.some((code) => error.matches(Gio.IOErrorEnum, code))
  ) {
    return 'unavailable';
  }
  // gnome-keyring without a login keyring: "Object does not exist at path “/org/freedesktop/secrets/collection/login”".
  if (
    error.matches(Secret.error_get_quark(), Secret.Error.IS_LOCKED) ||
    (error.domain === Gio.DBusError.quark() && error.message.includes('/org/freedesktop/secrets/collection/'))
  ) {
    return 'locked';
  }
  return 'error';
}

/** The Secret Service as a {@link SecretStore}. `destroy()` cancels calls in flight; later calls resolve with `error`. */
export class Keyring implements SecretStore {
  private readonly cancellable = new Gio.Cancellable();
  private schema: Secret.Schema | null = null;

  destroy(): void {
    this.cancellable.cancel();
  }

  async lookup(key: SecretKey): Promise<SecretResult<string | null>> {
    try {
      const value = await Secret.password_lookup(this.getSchema(), { key }, this.cancellable);
      if (value !== null) return { ok: true, value };
      return (await this.defaultCollectionLocked()) ? failure('locked') : { ok: true, value: null };
    } catch (error) {
      return this.failed(error);
    }
  }

  async store(key: SecretKey, label: string, value: string): Promise<SecretResult<true>> {
    try {
      await Secret.password_store(this.getSchema(), { key }, Secret.COLLECTION_DEFAULT, label, value, this.cancellable);
      return { ok: true, value: true };
    } catch (error) {
      return this.failed(error);
    }
  }

  async clear(key: SecretKey): Promise<SecretResult<true>> {
    try {
      const cleared = await Secret.password_clear(this.getSchema(), { key }, this.cancellable);
      return !cleared && (await this.defaultCollectionLocked()) ? failure('locked') : { ok: true, value: true };
    } catch (error) {
      return this.failed(error);
    }
  }

  private getSchema(): Secret.Schema {
    this.schema ??= Secret.Schema.new(SCHEMA_NAME, Secret.SchemaFlags.DONT_MATCH_NAME, {
      key: Secret.SchemaAttributeType.STRING,
    });
    return this.schema;
  }

  /**
   * Libsecret finds nothing, without an error, in a locked collection (the unlock prompt was dismissed) and when there
   * is no default collection at all, so an empty answer is only believed when the default collection is open.
   */
  private async defaultCollectionLocked(): Promise<boolean> {
    const service = await Secret.Service.get(Secret.ServiceFlags.NONE, this.cancellable);
    const collection = await Secret.Collection.for_alias(
      service,
      Secret.COLLECTION_DEFAULT,
      Secret.CollectionFlags.NONE,
      this.cancellable,
    );
    return collection === null || collection.get_locked();
  }

  private failed<T>(error: unknown): SecretResult<T> {
    const problem = problemOf(error);
    if (problem === 'error' && !this.cancellable.is_cancelled()) console.warn(`Headroom: keyring: ${String(error)}`);
    return failure(problem);
  }
}
