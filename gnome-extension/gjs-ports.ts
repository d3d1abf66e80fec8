/**
 * GJS implementations of core's ports for the GNOME Shell extension: Soup 3 for HTTP, Gio for files, all async, so
 * the shell's main loop never blocks. One {@link GjsPorts} lives from enable() to disable().
 */
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';
import type {
  DirEntry,
  FileStat,
  LineChunk,
  LineRequest,
  HttpPostRequest,
  HttpRequest,
  HttpResponse,
  Locks,
  PipedProcess,
  Ports,
  ProcessResult,
  SpawnOptions,
} from '../core/ports.js';
import type { SecretStore } from '../core/secrets.js';
import { TransportError } from '../core/ports.js';
import { markedLines } from './log-reader.js';

Gio._promisify(Soup.Session.prototype, 'send_and_read_async', 'send_and_read_finish');
Gio._promisify(Gio.File.prototype, 'load_contents_async', 'load_contents_finish');
Gio._promisify(Gio.File.prototype, 'enumerate_children_async', 'enumerate_children_finish');
Gio._promisify(Gio.FileEnumerator.prototype, 'next_files_async', 'next_files_finish');
Gio._promisify(Gio.File.prototype, 'query_info_async', 'query_info_finish');
Gio._promisify(Gio.File.prototype, 'replace_contents_bytes_async', 'replace_contents_finish');
Gio._promisify(Gio.File.prototype, 'make_directory_async', 'make_directory_finish');
Gio._promisify(Gio.File.prototype, 'set_attributes_async', 'set_attributes_finish');
Gio._promisify(Gio.File.prototype, 'append_to_async', 'append_to_finish');
Gio._promisify(Gio.OutputStream.prototype, 'write_bytes_async', 'write_bytes_finish');
Gio._promisify(Gio.OutputStream.prototype, 'close_async', 'close_finish');
Gio._promisify(Gio.Subprocess.prototype, 'wait_async', 'wait_finish');
Gio._promisify(Gio.DataInputStream.prototype, 'read_line_async', 'read_line_finish');
Gio._promisify(Gio.File.prototype, 'read_async', 'read_finish');
Gio._promisify(Gio.InputStream.prototype, 'read_bytes_async', 'read_bytes_finish');
Gio._promisify(Gio.InputStream.prototype, 'close_async', 'close_finish');

/** Every request allows this long by default, seconds (Soup's session timeout covers connect and wait). */
const HTTP_TIMEOUT_SECONDS = 15;

const decoder = new TextDecoder();

/** The largest file read, bytes: Codex's rollouts run to a few MiB; nothing Headroom reads is larger. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

function isNotFound(error: unknown): boolean {
  return (
    error instanceof GLib.Error &&
    (error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND) ||
      error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_DIRECTORY))
  );
}

/** Maps a Soup/Gio error onto a TransportError kind. */
function transportError(error: unknown): TransportError {
  if (error instanceof GLib.Error) {
    if (error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED)) return new TransportError('cancelled', 'cancelled');
    if (error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.TIMED_OUT)) return new TransportError('timeout', error.message);
    const offline = [
      Gio.IOErrorEnum.CONNECTION_REFUSED,
      Gio.IOErrorEnum.NETWORK_UNREACHABLE,
      Gio.IOErrorEnum.HOST_UNREACHABLE,
      Gio.IOErrorEnum.CONNECTION_CLOSED,
      Gio.IOErrorEnum.BROKEN_PIPE,
      Gio.IOErrorEnum.NOT_CONNECTED,
    ];
    if (error.domain === Gio.ResolverError.quark() || offline.some((code) => error.matches(Gio.IOErrorEnum, code))) {
      return new TransportError('offline', error.message);
    }
    return new TransportError('other', error.message);
  }
  return new TransportError('other', String(error));
}

/**
 * Core's ports over Soup and Gio. `destroy()` cancels every request and file operation in flight; afterwards every
 * call fails as cancelled.
 */
export class GjsPorts implements Ports {
  /** Headroom's keyring (gnome-extension/keyring.ts), set by the extension. */
  secrets?: SecretStore;
  /** Lock files in the state directory (gnome-extension/state-lock.ts), set by the extension. */
  locks?: Locks;
  private session: Soup.Session | null;
  /** HTTP requests sent so far (each GET or POST through {@link http}, answered or not). */
  requestsSent = 0;
  private readonly cancellable = new Gio.Cancellable();
  private readonly userAgent: string;

  /**
   * `userAgent` is sent when a request names none (core's sources name their own: Soup would otherwise replace it
   * with the session's). `timeoutSeconds` bounds each request.
   */
  constructor(userAgent: string, options: { timeoutSeconds?: number } = {}) {
    this.userAgent = userAgent;
    this.session = new Soup.Session({ timeout: options.timeoutSeconds ?? HTTP_TIMEOUT_SECONDS });
  }

  /**
   * Cancels what is in flight and drops the Soup session. HTTP requests in flight are answered as cancelled at once
   * but left to end in Soup (answered, or failed by the session's timeout), their results dropped: libsoup before
   * 3.7.1 (Debian trixie's GNOME Shell 48 comes with 3.6.5) can finish a request's queue item twice when the request
   * is cancelled while it runs (libsoup commit 9ba1243a, "fix 'heap-use-after-free' caused by 'finishing' queue
   * item twice"), which freed the session early and crashed GNOME Shell 48 in the end-to-end test's quick
   * disable/enable cycles on a loaded machine.
   */
  destroy(): void {
    this.cancellable.cancel();
    for (const abandon of this.requestsInFlight) abandon(new TransportError('cancelled', 'extension disabled'));
    this.requestsInFlight.clear();
    for (const child of this.children) child.force_exit();
    this.children.clear();
    for (const [id, resolve] of this.timers) {
      GLib.source_remove(id);
      resolve();
    }
    this.timers.clear();
    this.session = null;
  }

  readonly http = {
    get: (request: HttpRequest): Promise<HttpResponse> => this.send(request, 'GET'),
    post: (request: HttpPostRequest): Promise<HttpResponse> => this.send(request, 'POST', request),
  };

  /** Requests in flight, each by the function that answers it as cancelled (see {@link destroy}). */
  private readonly requestsInFlight = new Set<(error: TransportError) => void>();

  /** One request over Soup, answered as cancelled by {@link destroy}; a POST carries its body with its Content-Type. */
  private async send(request: HttpRequest, method: 'GET' | 'POST', post?: HttpPostRequest): Promise<HttpResponse> {
    const session = this.session;
    if (!session) throw new TransportError('cancelled', 'extension disabled');
    this.requestsSent++;
    const message = Soup.Message.new(method, request.url);
    if (!message) throw new TransportError('other', 'invalid URL');
    if (post)
      message.set_request_body_from_bytes(post.contentType, new GLib.Bytes(new TextEncoder().encode(post.body)));
    const requestHeaders = message.get_request_headers();
    for (const [name, value] of Object.entries(request.headers)) requestHeaders.append(name, value);
    if (!Object.keys(request.headers).some((name) => name.toLowerCase() === 'user-agent')) {
      requestHeaders.append('User-Agent', this.userAgent);
    }
    let bytes: GLib.Bytes;
    let abandon!: (error: TransportError) => void;
    const abandoned = new Promise<never>((_resolve, reject) => (abandon = reject));
    this.requestsInFlight.add(abandon);
    // Not cancellable (see destroy()); a failure after it was abandoned is nobody's to handle.
    const sent = session.send_and_read_async(message, GLib.PRIORITY_DEFAULT, null);
    sent.catch(() => undefined);
    try {
      bytes = await Promise.race([sent, abandoned]);
    } catch (error) {
      throw error instanceof TransportError ? error : transportError(error);
    } finally {
      this.requestsInFlight.delete(abandon);
    }
    const headers: Record<string, string> = {};
    message.get_response_headers().foreach((name, value) => {
      const key = name.toLowerCase();
      headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
    });
    // status_code, not get_status(): the latter throws for codes Soup's enum lacks (429, 520).
    return { status: message.status_code, headers, body: decoder.decode(bytes.toArray()) };
  }

  /** A file's info (following links) with `attributes`, cancelled by {@link destroy}. */
  private queryInfo(file: Gio.File, attributes: string): Promise<Gio.FileInfo> {
    return file.query_info_async(attributes, Gio.FileQueryInfoFlags.NONE, GLib.PRIORITY_DEFAULT, this.cancellable);
  }

  readonly files = {
    // Only regular files are read, up to MAX_FILE_BYTES: a FIFO in place of a credentials file would block
    // load_contents until a writer came, a device file would never end.
    readText: async (path: string): Promise<string | null> => {
      try {
        const file = Gio.File.new_for_path(path);
        const info = await this.queryInfo(file, 'standard::type,standard::size');
        if (info.get_file_type() !== Gio.FileType.REGULAR) throw new Error(`${path} is not a regular file`);
        if (info.get_size() > MAX_FILE_BYTES) throw new Error(`${path} is larger than ${MAX_FILE_BYTES} bytes`);
        const [contents] = await file.load_contents_async(this.cancellable);
        return decoder.decode(contents);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    list: async (path: string): Promise<DirEntry[] | null> => {
      try {
        const enumerator = await Gio.File.new_for_path(path).enumerate_children_async(
          'standard::name,standard::type',
          Gio.FileQueryInfoFlags.NONE,
          GLib.PRIORITY_DEFAULT,
          this.cancellable,
        );
        const entries: DirEntry[] = [];
        for (;;) {
          const infos = await enumerator.next_files_async(100, GLib.PRIORITY_DEFAULT, this.cancellable);
          if (infos.length === 0) break;
          for (const info of infos) {
            entries.push({ name: info.get_name(), isDirectory: info.get_file_type() === Gio.FileType.DIRECTORY });
          }
        }
        return entries;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    stat: async (path: string): Promise<FileStat | null> => {
      try {
        const info = await this.queryInfo(
          Gio.File.new_for_path(path),
          'standard::size,time::modified,time::modified-usec',
        );
        const seconds = info.get_attribute_uint64('time::modified');
        const micros = info.get_attribute_uint32('time::modified-usec');
        return { size: info.get_size(), mtimeMs: seconds * 1000 + Math.floor(micros / 1000) };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    /**
     * A ranged read of a log file for the usage scan (core/usage/scan.ts): async reads of at most `maxBytes`, so
     * the scan can yield to the main loop between chunks; lines holding a marker are decoded and returned.
     */
    readLines: async (path: string, request: LineRequest): Promise<LineChunk | null> => {
      let stream: Gio.FileInputStream | null = null;
      try {
        const file = Gio.File.new_for_path(path);
        const info = await this.queryInfo(file, 'standard::type,standard::size,time::modified,time::modified-usec');
        if (info.get_file_type() !== Gio.FileType.REGULAR) throw new Error(`${path} is not a regular file`);
        const size = info.get_size();
        const mtimeMs =
          info.get_attribute_uint64('time::modified') * 1000 +
          Math.floor(info.get_attribute_uint32('time::modified-usec') / 1000);
        const offset = Math.max(0, request.offset);
        const length = Math.max(0, Math.min(request.maxBytes, size - offset));
        stream = await file.read_async(GLib.PRIORITY_DEFAULT, this.cancellable);
        // The typings name GLib.SeekType twice (GLib and GObject-introspected), hence the cast.
        const fromStart = GLib.SeekType.SET as unknown as Parameters<Gio.FileInputStream['seek']>[1];
        if (offset > 0) stream.seek(offset, fromStart, this.cancellable);
        const bytes = new Uint8Array(length);
        let filled = 0;
        while (filled < length) {
          const chunk = await stream.read_bytes_async(length - filled, GLib.PRIORITY_LOW, this.cancellable);
          const data = chunk.toArray();
          if (data.length === 0) break;
          bytes.set(data, filled);
          filled += data.length;
        }
        return markedLines(bytes.subarray(0, filled), offset + filled >= size, request.markers, size, mtimeMs);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      } finally {
        await stream?.close_async(GLib.PRIORITY_DEFAULT, null).catch(() => undefined);
      }
    },
  };

  /**
   * The extension runs no one-shot programs (core asks for one only on macOS, for the Keychain); it starts
   * long-running ones with pipes (Codex's app-server) through Gio.Subprocess, all async. {@link destroy} kills
   * them (GSubprocess reaps its child itself, so none is left a zombie) and ends pending delays.
   */
  readonly subprocess = {
    run: (argv: string[]): Promise<ProcessResult> =>
      Promise.reject(new Error(`the GNOME extension does not run programs (${argv[0] ?? ''})`)),
    spawn: (argv: string[], options: SpawnOptions): Promise<PipedProcess> => this.spawnPiped(argv, options),
    delay: (ms: number): Promise<void> => this.delay(ms),
  };

  private readonly children = new Set<Gio.Subprocess>();
  private readonly timers = new Map<number, () => void>();

  /** See {@link subprocess}: stdin and stdout piped, stderr silenced, `argv[0]` searched on PATH. */
  private async spawnPiped(argv: string[], options: SpawnOptions): Promise<PipedProcess> {
    if (this.cancellable.is_cancelled()) throw new Error('extension disabled');
    const launcher = new Gio.SubprocessLauncher({
      flags: Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_SILENCE,
    });
    for (const [name, value] of Object.entries(options.env)) launcher.setenv(name, value, true);
    const child = launcher.spawnv(argv); // throws when the program cannot be started
    this.children.add(child);
    const exited = child.wait_async(null).then(
      () => (child.get_if_exited() ? child.get_exit_status() : null),
      () => null,
    );
    void exited.then(() => this.children.delete(child));
    const stdin = child.get_stdin_pipe();
    const stdout = new Gio.DataInputStream({ base_stream: child.get_stdout_pipe()!, close_base_stream: true });
    void (async () => {
      try {
        for (;;) {
          const [line] = await stdout.read_line_async(GLib.PRIORITY_DEFAULT, this.cancellable);
          if (line === null) break;
          options.onLine(decoder.decode(line).replace(/\r$/, ''));
        }
      } catch {
        // cancelled on disable, or the pipe broke: the process is ending
      }
    })();
    let writing: Promise<unknown> = Promise.resolve();
    let running = true;
    void exited.then(() => (running = false));
    return {
      write: (text) => {
        if (!stdin) return;
        const bytes = new TextEncoder().encode(text);
        writing = writing
          .then(() => stdin.write_bytes_async(bytes, GLib.PRIORITY_DEFAULT, this.cancellable))
          .catch(() => {});
      },
      closeStdin: () => {
        writing = writing.then(() => stdin?.close_async(GLib.PRIORITY_DEFAULT, null)).catch(() => {});
      },
      signal: (signal) => {
        if (!running) return;
        if (signal === 'SIGKILL') child.force_exit();
        else child.send_signal(15);
      },
      exited,
    };
  }

  /** A GLib timeout as a promise; {@link destroy} removes the pending ones and resolves them. */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.cancellable.is_cancelled()) {
        resolve();
        return;
      }
      const id = GLib.timeout_add(GLib.PRIORITY_DEFAULT, Math.max(0, Math.round(ms)), () => {
        this.timers.delete(id);
        resolve();
        return GLib.SOURCE_REMOVE;
      });
      this.timers.set(id, resolve);
    });
  }

  readonly clock = { now: (): number => Date.now() };

  readonly log = {
    debug: (_message: string): void => {},
    warn: (message: string): void => console.warn(`Headroom: ${message}`),
  };

  readonly env = {
    get: (name: string): string | undefined => GLib.getenv(name) || undefined,
    home: GLib.get_home_dir(),
    platform: 'linux',
    user: GLib.get_user_name(),
  };

  /**
   * Writes a file atomically (Gio writes a temporary file and renames it) with mode 0600, creating missing parent
   * directories with mode 0700: text as UTF-8, or bytes as they are. Rejects on failure.
   */
  async writePrivateFile(path: string, text: string | Uint8Array): Promise<void> {
    const file = Gio.File.new_for_path(path);
    const parent = file.get_parent();
    if (parent) await this.ensureDirectory(parent);
    await file.replace_contents_bytes_async(
      typeof text === 'string' ? new TextEncoder().encode(text) : text,
      null,
      false,
      Gio.FileCreateFlags.PRIVATE | Gio.FileCreateFlags.REPLACE_DESTINATION,
      this.cancellable,
    );
  }

  /** Appends to a file (created with mode 0600, parents 0700). Rejects on failure. */
  async appendPrivateFile(path: string, text: string): Promise<void> {
    const file = Gio.File.new_for_path(path);
    const parent = file.get_parent();
    if (parent) await this.ensureDirectory(parent);
    const stream = await file.append_to_async(Gio.FileCreateFlags.PRIVATE, GLib.PRIORITY_DEFAULT, this.cancellable);
    try {
      await stream.write_bytes_async(new TextEncoder().encode(text), GLib.PRIORITY_DEFAULT, this.cancellable);
    } finally {
      await stream.close_async(GLib.PRIORITY_DEFAULT, null);
    }
  }

  /** Creates a directory and its missing parents, each with mode 0700; an existing directory is left as it is. */
  private async ensureDirectory(dir: Gio.File): Promise<void> {
    try {
      await dir.make_directory_async(GLib.PRIORITY_DEFAULT, this.cancellable);
    } catch (error) {
      if (error instanceof GLib.Error && error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.EXISTS)) return;
      const parent = dir.get_parent();
      if (!parent || !isNotFound(error)) throw error;
      await this.ensureDirectory(parent);
      await dir.make_directory_async(GLib.PRIORITY_DEFAULT, this.cancellable);
    }
    const info = new Gio.FileInfo();
    info.set_attribute_uint32('unix::mode', 0o700);
    await dir.set_attributes_async(info, Gio.FileQueryInfoFlags.NONE, GLib.PRIORITY_DEFAULT, this.cancellable);
  }
}
