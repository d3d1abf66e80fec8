/**
 * Headroom's own secrets in the Secret Service (GNOME Keyring) through libsecret, as core's {@link SecretStore}.
 * Every call is async: gnome-shell draws the keyring's unlock prompt itself, so a sync call would block the loop that
 * must show it.
 */
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import type Secret from 'gi://Secret';
import type { KeyringProblem, SecretKey, SecretResult, SecretStore } from '../core/secrets.js';
import { KEYRING_PROBLEMS } from '../core/secrets.js';

type Libsecret = typeof Secret;

// The Secret Service is asked over D-Bus directly for the state of its default collection (see
// defaultCollectionLocked); GJS skips a function promisified before (by the shell, say).
Gio._promisify(Gio, 'bus_get', 'bus_get_finish');
Gio._promisify(Gio.DBusConnection.prototype, 'call', 'call_finish');

const SCHEMA_NAME = 'org.gnome.shell.extensions.headroom';

/** The Secret Service's bus name, its object and interfaces (freedesktop.org Secret Service API). */
const SECRET_SERVICE = 'org.freedesktop.secrets';
const SERVICE_PATH = '/org/freedesktop/secrets';
const SERVICE_INTERFACE = 'org.freedesktop.Secret.Service';
const COLLECTION_INTERFACE = 'org.freedesktop.Secret.Collection';
/** GLib's Variant types as Gio's typings name them (two copies of GLib's typings meet here). */
type BusParameters = Parameters<Gio.DBusConnection['call']>[4];
type BusReplyType = Parameters<Gio.DBusConnection['call']>[5];
/** How long a call to the Secret Service may take, ms (GDBus's own default is 25 s). */
const BUS_TIMEOUT_MS = 10_000;

/** D-Bus errors that mean nothing provides org.freedesktop.secrets. */
const NO_SERVICE = [
  Gio.DBusError.SERVICE_UNKNOWN,
  Gio.DBusError.NAME_HAS_NO_OWNER,
  Gio.DBusError.SPAWN_EXEC_FAILED,
  Gio.DBusError.SPAWN_CHILD_EXITED,
];

/** I/O errors of connecting to the session bus ("Cannot autolaunch D-Bus without X11 $DISPLAY", no socket). */
const NO_BUS = [Gio.IOErrorEnum.FAILED, Gio.IOErrorEnum.NOT_FOUND, Gio.IOErrorEnum.CONNECTION_REFUSED];

let libsecret: Promise<Libsecret> | null = null;

/**
 * Loads libsecret's bindings on first use. Debian and Ubuntu package them apart from gnome-shell (gir1.2-secret-1),
 * and a static import would keep the whole extension from loading where they are missing.
 */
function loadLibsecret(): Promise<Libsecret> {
  libsecret ??= import('gi://Secret').then(
    ({ default: module }) => {
      Gio._promisify(module, 'password_lookup', 'password_lookup_finish');
      Gio._promisify(module, 'password_store', 'password_store_finish');
      Gio._promisify(module, 'password_clear', 'password_clear_finish');
      return module;
    },
    (error: unknown) => {
      console.warn(`Headroom: libsecret's bindings are missing (gir1.2-secret-1): ${String(error)}`);
      throw error;
    },
  );
  return libsecret;
}

function failure<T>(problem: KeyringProblem): SecretResult<T> {
  return { ok: false, problem, ...KEYRING_PROBLEMS[problem] };
}

function problemOf(error: unknown, secret: Libsecret): KeyringProblem {
  if (!(error instanceof GLib.Error)) return 'error';
  if (
    NO_SERVICE.some((code) => error.matches(Gio.DBusError, code)) ||
    NO_BUS.some((code) => error.matches(Gio.IOErrorEnum, code))
  ) {
    return 'unavailable';
  }
  // gnome-keyring without a login keyring: "Object does not exist at path “/org/freedesktop/secrets/collection/login”".
  if (
    error.matches(secret.error_get_quark(), secret.Error.IS_LOCKED) ||
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

  /**
   * Whether the keyring can be used, answered without searching it: a lookup in a locked keyring asks the user to
   * unlock it, which a mere check must never do.
   */
  status(): Promise<SecretResult<true>> {
    return this.call(async () =>
      (await this.defaultCollectionLocked()) ? failure('locked') : { ok: true, value: true },
    );
  }

  lookup(key: SecretKey): Promise<SecretResult<string | null>> {
    return this.call(async (secret, schema) => {
      const value = await secret.password_lookup(schema, { key }, this.cancellable);
      if (value !== null) return { ok: true, value };
      return (await this.defaultCollectionLocked()) ? failure('locked') : { ok: true, value: null };
    });
  }

  store(key: SecretKey, label: string, value: string): Promise<SecretResult<true>> {
    return this.call(async (secret, schema) => {
      await secret.password_store(schema, { key }, secret.COLLECTION_DEFAULT, label, value, this.cancellable);
      return { ok: true, value: true };
    });
  }

  clear(key: SecretKey): Promise<SecretResult<true>> {
    return this.call(async (secret, schema) => {
      const cleared = await secret.password_clear(schema, { key }, this.cancellable);
      return !cleared && (await this.defaultCollectionLocked()) ? failure('locked') : { ok: true, value: true };
    });
  }

  /** Runs one libsecret exchange and maps what goes wrong onto a {@link KeyringProblem}. */
  private async call<T>(
    exchange: (secret: Libsecret, schema: Secret.Schema) => Promise<SecretResult<T>>,
  ): Promise<SecretResult<T>> {
    let secret: Libsecret;
    try {
      secret = await loadLibsecret();
    } catch {
      return failure('unavailable');
    }
    this.schema ??= secret.Schema.new(SCHEMA_NAME, secret.SchemaFlags.DONT_MATCH_NAME, {
      key: secret.SchemaAttributeType.STRING,
    });
    try {
      return await exchange(secret, this.schema);
    } catch (error) {
      const problem = problemOf(error, secret);
      if (problem === 'error' && !this.cancellable.is_cancelled()) console.warn(`Headroom: keyring: ${String(error)}`);
      return failure(problem);
    }
  }

  /**
   * Libsecret finds nothing, without an error, in a locked collection (the unlock prompt was dismissed) and when there
   * is no default collection at all, so an empty answer is only believed when the default collection is open.
   *
   * Asked over D-Bus directly (the Secret Service API's `ReadAlias("default")`, then the collection's `Locked`
   * property: https://specifications.freedesktop.org/secret-service-spec/latest/), not through libsecret's
   * `Secret.Service.get` and `Secret.Collection.for_alias`: with libsecret 0.21.7 (GNOME Shell 48, Debian trixie),
   * `for_alias` calls cancelled by disable() left objects freed twice. In the end-to-end test's 600 quick
   * disable/enable cycles on a loaded machine that gave dozens of `g_object_unref` criticals and at times a crash
   * (a core dump showed a libsecret task of `secret_collection_for_alias` finalizing a result already freed); over
   * D-Bus, none.
   */
  private async defaultCollectionLocked(): Promise<boolean> {
    const bus = await Gio.bus_get(Gio.BusType.SESSION, this.cancellable);
    const [path] = (
      await this.busCall(bus, SERVICE_PATH, SERVICE_INTERFACE, 'ReadAlias', ['(s)', ['default']], '(o)')
    ).deepUnpack() as [string];
    // "/" when no collection has the alias.
    if (path === '/') return true;
    const [locked] = (
      await this.busCall(
        bus,
        path,
        'org.freedesktop.DBus.Properties',
        'Get',
        ['(ss)', [COLLECTION_INTERFACE, 'Locked']],
        '(v)',
      )
    ).recursiveUnpack() as [boolean];
    return locked;
  }

  /** One method call to the Secret Service, cancelled by {@link destroy}. Throws its GLib.Error (see problemOf). */
  private busCall(
    bus: Gio.DBusConnection,
    path: string,
    iface: string,
    method: string,
    [signature, values]: [string, unknown[]],
    replyType: string,
  ): Promise<ReturnType<Gio.DBusConnection['call_finish']>> {
    return bus.call(
      SECRET_SERVICE,
      path,
      iface,
      method,
      new GLib.Variant(signature, values) as unknown as BusParameters,
      new GLib.VariantType(replyType) as unknown as BusReplyType,
      Gio.DBusCallFlags.NONE,
      BUS_TIMEOUT_MS,
      this.cancellable,
    );
  }
}
