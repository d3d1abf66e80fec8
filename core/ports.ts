/**
 * The I/O that core needs, as small interfaces each shell implements: Node (node:http, node:fs) for the SwiftBar
 * plugin and CLI, GJS (Soup 3, Gio) for the GNOME Shell extension. Core itself never touches a platform API.
 */
import type { SecretStore } from './secrets.js';

/** An HTTP GET request. Header names are given as sent. */
export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  /** Total time allowed for connect + response, milliseconds. */
  timeoutMs: number;
}

/** An HTTP response. Header names are lower-case; a repeated header is joined with ", ". */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** The body decoded as UTF-8 (at most a few MiB; adapters may truncate larger bodies). */
  body: string;
}

/** Why a request produced no response. */
export type TransportErrorKind = 'timeout' | 'offline' | 'cancelled' | 'other';

/**
 * The error an {@link HttpClient} rejects with when no HTTP response arrived. Adapters map their platform errors
 * onto `kind`: DNS failures, refused or reset connections and unreachable networks are `offline`.
 */
export class TransportError extends Error {
  readonly kind: TransportErrorKind;
  constructor(kind: TransportErrorKind, message: string) {
    super(message);
    this.name = 'TransportError';
    this.kind = kind;
  }
}

/**
 * An HTTP POST request: a {@link HttpRequest} plus its body, already encoded (`application/x-www-form-urlencoded`
 * for an OAuth token request, JSON for an RPC). `contentType` is sent as the Content-Type header.
 */
export interface HttpPostRequest extends HttpRequest {
  body: string;
  /** E.g. `application/json`, `application/x-www-form-urlencoded`. */
  contentType: string;
}

/** Performs HTTP requests. Resolves with any status code; rejects only with a {@link TransportError}. */
export interface HttpClient {
  get(request: HttpRequest): Promise<HttpResponse>;
  /**
   * Performs a POST (Gemini's Code Assist API and Google's token endpoint take only POSTs). Both shells' adapters
   * implement it; a port without it makes POST-only sources fail with a typed error.
   */
  post?(request: HttpPostRequest): Promise<HttpResponse>;
}

/** A directory entry. */
export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

/** File metadata. */
export interface FileStat {
  size: number;
  /** Last modification, epoch ms. */
  mtimeMs: number;
}

/**
 * Read-only file access. Paths are absolute, `/`-separated. Every method resolves to `null` when the path does not
 * exist, and rejects (with any error) when it exists but cannot be read.
 */
export interface FileReader {
  readText(path: string): Promise<string | null>;
  list(path: string): Promise<DirEntry[] | null>;
  stat(path: string): Promise<FileStat | null>;
  /**
   * Reads a byte range of a (large, append-only) log file and returns only the lines holding one of `markers`
   * (the usage scanner's byte-marker skip, core/usage/scan.ts). Optional: without it the scanner falls back to
   * {@link readText}, whole files at a time.
   */
  readLines?(path: string, request: LineRequest): Promise<LineChunk | null>;
}

/** A ranged, filtered read: bytes `[offset, offset + maxBytes)` of a file. */
export interface LineRequest {
  /** Byte offset to start at (the start of a line). */
  offset: number;
  /** The most bytes to read. */
  maxBytes: number;
  /** Lines holding any of these strings (ASCII) are returned; an empty list returns none. */
  markers: readonly string[];
  /**
   * With `offset` 0: also give {@link LineChunk.head} for the lines within the first `head` bytes (the scanner's
   * second fingerprint), saving a read of its own. Optional for a reader: without `head` the scanner reads it.
   */
  head?: number;
}

/** What {@link FileReader.readLines} found in its range. */
export interface LineChunk {
  /** The complete lines of the range (newline-terminated in the file) holding a marker, without their newline. */
  lines: string[];
  /** Bytes from `offset` through the range's last newline (0 when the range holds no newline). */
  consumed: number;
  /** The file's size and modification time (epoch ms) when read. */
  size: number;
  mtimeMs: number;
  /** True when the range reached the end of the file. */
  eof: boolean;
  /** At the end of the file: the last line when it has no newline yet (still being written, or cut) and holds a marker. */
  tail: string | null;
  /** The last (up to) 64 bytes before `offset + consumed`, as Latin-1 text: a fingerprint of the file's content. */
  edge: string;
  /**
   * When asked (`head`) and the range held at least `head` bytes: `end`, the bytes through the last newline within the
   * first `head` bytes (0 when there is none), and `edge`, the up to 64 bytes before it as Latin-1 text.
   */
  head?: { end: number; edge: string };
}

/** The result of a finished subprocess. */
export interface ProcessResult {
  /** Exit code; null when killed (e.g. by the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A program started with pipes for a line-based conversation on stdio (e.g. `codex app-server`'s JSON-RPC). Its
 * stderr is discarded: another tool's diagnostics may quote what it received, and Headroom never logs them.
 */
export interface PipedProcess {
  /** Writes UTF-8 text to its stdin. Never throws; text written after stdin closed or the process ended is dropped. */
  write(text: string): void;
  /** Closes its stdin (end of input). */
  closeStdin(): void;
  /** Sends a signal; does nothing once the process has ended. */
  signal(signal: 'SIGTERM' | 'SIGKILL'): void;
  /**
   * Resolves once the process has ended and been reaped (no zombie): its exit code, or null when a signal ended it.
   * Never rejects.
   */
  readonly exited: Promise<number | null>;
}

/** How to start a {@link PipedProcess}. */
export interface SpawnOptions {
  /** Variables added to (or replacing those of) the inherited environment. */
  env: Record<string, string>;
  /**
   * Called with each line the program writes to stdout, without its line break, decoded as UTF-8. Lines longer than
   * 4 MiB are cut.
   */
  onLine(line: string): void;
}

/**
 * Runs a program directly (never through a shell) with a timeout, capturing its output. Rejects when the program
 * cannot be started.
 */
export interface Subprocess {
  run(argv: string[], options: { timeoutMs: number }): Promise<ProcessResult>;
  /**
   * Starts a long-running program with piped stdin/stdout, found on `PATH` when `argv[0]` has no `/`. Rejects when it
   * cannot be started (not found, not executable). Optional: a shell without it makes sources that need one fail
   * with a typed error.
   */
  spawn?(argv: string[], options: SpawnOptions): Promise<PipedProcess>;
  /**
   * Resolves after `ms` milliseconds (the platform's timer), for start and request timeouts. A pending delay never
   * keeps a CLI process alive, and the GNOME extension drops pending ones on disable().
   */
  delay?(ms: number): Promise<void>;
}

/** The time. */
export interface Clock {
  /** Now, epoch ms. */
  now(): number;
}

/** Diagnostics for developers (stderr, the journal). Never given a secret. */
export interface Logger {
  debug(message: string): void;
  warn(message: string): void;
}

/** A lock held across processes; `release` frees it when it is still this holder's. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Named locks shared by every Headroom process of the user (CLI runs, the SwiftBar plugin, the GNOME extension): a
 * lock file `<name>.lock` in the state directory, created exclusively, holding `<pid> <epoch ms>`, taken over when
 * older than 30 s or its process is gone. Used to make a rotating refresh token single-use (core/oauth.ts).
 */
export interface Locks {
  /**
   * Takes the lock `name` (`[a-z-]+`), waiting at most `waitMs` (ms) for another holder. Resolves to null when it
   * cannot be had in time or the state directory is not writable. Never rejects.
   */
  acquire(name: string, waitMs: number): Promise<HeldLock | null>;
}

/** The process environment and platform facts core needs. */
export interface Environment {
  /** An environment variable, or undefined when unset or empty. */
  get(name: string): string | undefined;
  /** The user's home directory, absolute. */
  home: string;
  /** `darwin`, `linux`, … as Node's `process.platform` spells it. */
  platform: string;
  /** The user's login name (the macOS Keychain account); may be empty. */
  user: string;
}

/** Everything a provider source may use. */
export interface Ports {
  http: HttpClient;
  files: FileReader;
  subprocess: Subprocess;
  clock: Clock;
  log: Logger;
  env: Environment;
  /**
   * Headroom's own keyring (core/secrets.ts): the Secret Service or the Keychain, holding the claude.ai session key
   * (`web`) and Headroom's own sign-in (`oauth`). Absent where a shell has none (sources that need it then report
   * themselves as not set up).
   */
  secrets?: SecretStore;
  /** Cross-process locks in the state directory; absent where a shell has none. */
  locks?: Locks;
}
