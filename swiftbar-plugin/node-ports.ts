/**
 * Node implementations of core's ports for the SwiftBar plugin and CLI: node:http(s) for HTTP, node:fs for files,
 * execFile for subprocesses (never a shell), stderr for diagnostics.
 */
import { closeSync, constants, fstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { readRegularFile } from './files.js';
import { cliSecretStore } from './keyring.js';
import { fileLocks } from './single-flight.js';
import { stateDirectory } from './state.js';
import {
  type DirEntry,
  type FileReader,
  type FileStat,
  type HttpClient,
  type HttpPostRequest,
  type HttpRequest,
  type HttpResponse,
  type PipedProcess,
  type LineChunk,
  type LineRequest,
  type Ports,
  type SpawnOptions,
  type Subprocess,
  TransportError,
} from '../core/ports.js';

/** Bodies above this size are cut: no usage endpoint sends more than a few KiB. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Error codes that mean "no network path to the host". */
const OFFLINE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Maps a node:http error onto a TransportError kind (a TransportError passes through). */
function toTransportError(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code ?? '';
  if (OFFLINE_CODES.has(code)) return new TransportError('offline', code);
  return new TransportError('other', code || 'request failed');
}

/**
 * One request over node:http or node:https (loaded on the first request of their kind), one connection per request
 * (`agent: false`: nothing keeps the process alive afterwards), with a total timeout covering connect, headers and
 * body; the body is read up to {@link MAX_BODY_BYTES}. Redirects are not followed. Node's global `fetch` (undici)
 * would work too, but in Node 20 it compiles undici's WASM HTTP parser on first use and the process then takes
 * ~150 ms longer to exit; node:http's parser is built in.
 */
async function send(
  { url, headers, timeoutMs }: HttpRequest,
  method: 'GET' | 'POST',
  body?: string,
): Promise<HttpResponse> {
  const target = new URL(url);
  const { request } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      clearTimeout(timer);
      reject(toTransportError(error));
    };
    const outgoing = request(target, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (): void => {
        clearTimeout(timer);
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: response.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks).toString('utf8') });
      };
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) chunks.push(chunk);
        else {
          response.destroy();
          finish();
        }
      });
      response.on('end', finish);
      response.on('error', fail);
    });
    const timer = setTimeout(
      () => outgoing.destroy(new TransportError('timeout', `no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    outgoing.on('error', fail);
    outgoing.end(body);
  });
}

/** HTTP over node:http(s), with a total timeout per request (see {@link send}). */
export const nodeHttp: HttpClient = {
  get: (request) => send(request, 'GET'),
  post: (request: HttpPostRequest) =>
    send(
      {
        ...request,
        headers: {
          ...request.headers,
          'Content-Type': request.contentType,
          'Content-Length': String(Buffer.byteLength(request.body)),
        },
      },
      'POST',
      request.body,
    ),
};

/** Read-only files over node:fs; only regular files are read (see {@link readRegularFile}). */
export const nodeFiles: FileReader = {
  readText: readRegularFile,
  async list(path): Promise<DirEntry[] | null> {
    try {
      const entries = await readdir(path, { withFileTypes: true });
      return entries.map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  },
  async stat(path): Promise<FileStat | null> {
    try {
      const info = await stat(path);
      return { size: info.size, mtimeMs: info.mtimeMs };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  },
  readLines: readLinesNode,
};

/** Read buffers reused between ranged reads (a fresh buffer per read costs page faults). */
const freeBuffers: Buffer[] = [];
/** The largest buffer kept for reuse: twice the scan's usual read (core/usage/scan.ts `CHUNK_BYTES`). */
const KEPT_BUFFER_BYTES = 2 * 1024 * 1024;

/**
 * A ranged read of a log file that returns only the lines holding a marker: the markers are searched in the raw
 * bytes (Buffer.indexOf), and only those lines are decoded as UTF-8. See {@link FileReader.readLines}. The reads
 * are synchronous: this process does nothing else meanwhile, and a thread-pool round trip per call cost more than
 * the read itself on thousands of small files (measured: 0.9 s of 4 s on a 200 MB corpus).
 */
export function readLinesNode(path: string, request: LineRequest): Promise<LineChunk | null> {
  try {
    return Promise.resolve(readLinesSync(path, request));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function readLinesSync(path: string, request: LineRequest): LineChunk | null {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO named like a log would otherwise wait for a writer forever (it is refused below).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  let buffer: Buffer | undefined;
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new Error('not a regular file');
    const offset = Math.max(0, request.offset);
    const length = Math.max(0, Math.min(request.maxBytes, info.size - offset));
    buffer = freeBuffers.pop();
    if (!buffer || buffer.length < length) buffer = Buffer.allocUnsafe(Math.max(length, 1 << 20));
    let filled = 0;
    while (filled < length) {
      const bytesRead = readSync(fd, buffer, filled, length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const eof = offset + filled >= info.size;
    const consumed = filled === 0 ? 0 : buffer.lastIndexOf(10, filled - 1) + 1;
    const lines: string[] = [];
    if (request.markers.length === 1) {
      const needle = Buffer.from(request.markers[0]!, 'latin1');
      let at = buffer.indexOf(needle, 0);
      while (at >= 0 && at < consumed) {
        const start = at === 0 ? 0 : buffer.lastIndexOf(10, at - 1) + 1;
        const end = buffer.indexOf(10, at);
        lines.push(buffer.toString('utf8', start, end));
        at = buffer.indexOf(needle, end + 1);
      }
    } else if (request.markers.length > 1) {
      const starts = new Set<number>();
      for (const marker of request.markers) {
        const needle = Buffer.from(marker, 'latin1');
        let at = buffer.indexOf(needle, 0);
        while (at >= 0 && at < consumed) {
          const start = at === 0 ? 0 : buffer.lastIndexOf(10, at - 1) + 1;
          starts.add(start);
          at = buffer.indexOf(needle, buffer.indexOf(10, at) + 1);
        }
      }
      for (const start of [...starts].sort((a, b) => a - b)) {
        lines.push(buffer.toString('utf8', start, buffer.indexOf(10, start)));
      }
    }
    let tail: string | null = null;
    if (eof && consumed < filled) {
      const rest = buffer.subarray(consumed, filled);
      if (request.markers.some((marker) => rest.includes(marker, 0, 'latin1'))) tail = rest.toString('utf8');
    }
    let head: LineChunk['head'];
    if (request.head !== undefined && offset === 0 && filled >= request.head) {
      const end = request.head > 0 ? buffer.lastIndexOf(10, request.head - 1) + 1 : 0;
      head = { end, edge: buffer.toString('latin1', Math.max(0, end - 64), end) };
    }
    return {
      lines,
      consumed,
      size: info.size,
      mtimeMs: info.mtimeMs,
      eof,
      tail,
      edge: buffer.toString('latin1', Math.max(0, consumed - 64), consumed),
      ...(head ? { head } : {}),
    };
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  } finally {
    // Only a chunk-sized buffer is kept: one grown for a line of many MB would stay in every scan thread's memory.
    if (buffer && buffer.length <= KEPT_BUFFER_BYTES && freeBuffers.length < 2) freeBuffers.push(buffer);
    closeSync(fd);
  }
}

/**
 * Files for the usage scan (core/usage/scan.ts), synchronous underneath: listing and stat-ing thousands of log files
 * through the thread pool cost more in round trips than the calls themselves. Only for short CLI runs.
 */
export const nodeScanFiles: FileReader = {
  readText: readRegularFile,
  list(path) {
    try {
      const entries = readdirSync(path, { withFileTypes: true });
      return Promise.resolve(entries.map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() })));
    } catch (error) {
      return isMissing(error) ? Promise.resolve(null) : Promise.reject(error as Error);
    }
  },
  stat(path) {
    try {
      const info = statSync(path);
      return Promise.resolve({ size: info.size, mtimeMs: info.mtimeMs });
    } catch (error) {
      return isMissing(error) ? Promise.resolve(null) : Promise.reject(error as Error);
    }
  },
  readLines: readLinesNode,
};

/** The longest stdout line kept whole by {@link spawnPiped}, characters; longer lines are cut. */
const MAX_LINE_CHARS = 4 * 1024 * 1024;

/**
 * Starts a program with piped stdin/stdout (stderr discarded), argv only, no shell; resolves once it runs, rejects
 * when it cannot start (ENOENT, EACCES). `exited` resolves from the `close` event, after Node has reaped the child.
 */
async function spawnPiped(argv: string[], options: SpawnOptions): Promise<PipedProcess> {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty argv');
  const { spawn } = await import('node:child_process');
  const child = spawn(file, args, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    let end: number;
    while ((end = pending.indexOf('\n')) >= 0) {
      options.onLine(pending.slice(0, end).replace(/\r$/, ''));
      pending = pending.slice(end + 1);
    }
    if (pending.length > MAX_LINE_CHARS) pending = pending.slice(0, MAX_LINE_CHARS);
  });
  child.stdin.on('error', () => {}); // EPIPE once the program has gone: writes are dropped
  let running = true;
  // A run that ends early (the run deadline's process.exit) takes its children with it.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  void exited.then(() => {
    running = false;
    process.off('exit', killOnExit);
  });
  const piped: PipedProcess = {
    write: (text) => {
      if (running && child.stdin.writable) child.stdin.write(text);
    },
    closeStdin: () => {
      child.stdin.end();
    },
    signal: (signal) => {
      if (running) child.kill(signal);
    },
    exited,
  };
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(piped));
    child.once('error', reject);
  });
}

/**
 * Subprocesses via execFile (`run`) or spawn with pipes (`spawn`): argv only, no shell. node:child_process is loaded
 * on the first call (it pulls in net and streams: most runs never start a process).
 */
export const nodeSubprocess: Subprocess = {
  spawn: spawnPiped,
  delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
  async run(argv, { timeoutMs }) {
    const [file, ...args] = argv;
    if (!file) throw new Error('empty argv');
    const { execFile } = await import('node:child_process');
    return new Promise((resolve, reject) => {
      execFile(
        file,
        args,
        { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = (error as { code?: unknown } | null)?.code;
          if (typeof code === 'string') {
            reject(error);
            return;
          }
          resolve({ code: error ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
        },
      );
    });
  },
};

/**
 * All ports for this process, with Headroom's own keyring (swiftbar-plugin/keyring.ts) and lock files in the state
 * directory (swiftbar-plugin/single-flight.ts). `now` overrides the clock (the `HEADROOM_NOW` variable, for reproducing a past
 * moment); `verbose` sends debug lines to stderr.
 */
export function nodePorts(options: { now?: number; verbose: boolean }): Ports {
  let user = '';
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? '';
  }
  return {
    http: nodeHttp,
    files: nodeFiles,
    subprocess: nodeSubprocess,
    clock: { now: () => options.now ?? Date.now() },
    log: {
      debug: (message) => {
        if (options.verbose) process.stderr.write(`headroom: ${message}\n`);
      },
      warn: (message) => process.stderr.write(`headroom: ${message}\n`),
    },
    env: {
      get: (name) => process.env[name] || undefined,
      home: process.env.HOME || homedir(),
      platform: process.platform,
      user,
    },
    secrets: cliSecretStore(),
    locks: fileLocks(stateDirectory(process.env, process.env.HOME || homedir())),
  };
}
