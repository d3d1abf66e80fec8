// The parts of Soup 3 and libsecret 1 that Headroom uses, typed by hand: @girs publishes no builds of these that
// match the @girs/gnome-shell 48 type set.
declare module 'gi://Soup?version=3.0' {
  import type Gio from 'gi://Gio';
  import type GLib from 'gi://GLib';

  namespace Soup {
    class MessageHeaders {
      append(name: string, value: string): void;
      foreach(callback: (name: string, value: string) => void): void;
    }
    class Message {
      static new(method: string, uri: string): Message | null;
      get_request_headers(): MessageHeaders;
      get_response_headers(): MessageHeaders;
      get_status(): number;
      readonly status_code: number;
      set_request_body_from_bytes(contentType: string | null, bytes: GLib.Bytes | null): void;
    }
    class Session {
      constructor(properties?: { timeout?: number; user_agent?: string; max_conns?: number });
      timeout: number;
      send_and_read_async(message: Message, priority: number, cancellable: Gio.Cancellable | null): Promise<GLib.Bytes>;
      abort(): void;
    }
    // Soup.Server: the preferences' sign-in callback (gnome-extension/sign-in.ts) and test/gjs's loopback servers.
    enum MemoryUse {
      STATIC = 0,
      TAKE = 1,
      COPY = 2,
    }
    enum ServerListenOptions {
      HTTPS = 1,
      IPV4_ONLY = 2,
      IPV6_ONLY = 4,
    }
    class MessageBody {
      flatten(): GLib.Bytes;
    }
    class ServerMessage {
      get_method(): string;
      get_request_body(): MessageBody;
      get_request_headers(): MessageHeaders;
      get_response_headers(): MessageHeaders;
      set_status(status: number, reason: string | null): void;
      set_response(contentType: string | null, use: MemoryUse, body: Uint8Array): void;
      pause(): void;
    }
    class Server {
      constructor(properties?: object);
      add_handler(
        path: string | null,
        callback: (server: Server, message: ServerMessage, path: string, query: Record<string, string> | null) => void,
      ): void;
      listen_local(port: number, options: ServerListenOptions): boolean;
      get_uris(): GLib.Uri[];
      disconnect(): void;
    }
  }
  export default Soup;
}

declare module 'gi://Secret' {
  import type Gio from 'gi://Gio';

  namespace Secret {
    enum SchemaFlags {
      NONE = 0,
      DONT_MATCH_NAME = 2,
    }
    enum SchemaAttributeType {
      STRING = 0,
      INTEGER = 1,
      BOOLEAN = 2,
    }
    class Schema {
      // eslint-disable-next-line @typescript-eslint/no-misused-new -- GI's static constructor, not a TS construct signature
      static new(name: string, flags: SchemaFlags, attributes: Record<string, SchemaAttributeType>): Schema;
    }
    enum ServiceFlags {
      NONE = 0,
    }
    enum CollectionFlags {
      NONE = 0,
    }
    enum Error {
      PROTOCOL = 1,
      IS_LOCKED = 2,
      NO_SUCH_OBJECT = 3,
      ALREADY_EXISTS = 4,
    }
    /** The quark of Secret.Error (gjs 1.74 has no `Secret.Error.quark()`). */
    function error_get_quark(): number;
    class Service {
      static get(flags: ServiceFlags, cancellable: Gio.Cancellable | null): Promise<Service>;
    }
    class Collection {
      static for_alias(
        service: Service | null,
        alias: string,
        flags: CollectionFlags,
        cancellable: Gio.Cancellable | null,
      ): Promise<Collection | null>;
      get_locked(): boolean;
    }
    const COLLECTION_DEFAULT: string;
    const COLLECTION_SESSION: string;
    function password_lookup(
      schema: Schema,
      attributes: Record<string, string>,
      cancellable: Gio.Cancellable | null,
    ): Promise<string | null>;
    function password_store(
      schema: Schema,
      attributes: Record<string, string>,
      collection: string | null,
      label: string,
      password: string,
      cancellable: Gio.Cancellable | null,
    ): Promise<boolean>;
    function password_clear(
      schema: Schema,
      attributes: Record<string, string>,
      cancellable: Gio.Cancellable | null,
    ): Promise<boolean>;
  }
  export default Secret;
}
