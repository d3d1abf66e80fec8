/**
 * Node implementations of core's ports for the SwiftBar plugin and CLI: undici for HTTP, node:fs for files,
 * execFile for subprocesses (never a shell), stderr for diagnostics.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import {
  type DirEntry,
  type FileReader,
  type FileStat,
  type HttpClient,
  type HttpResponse,
  type Ports,
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
]);

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** undici, loaded on the first request: a run served from the cache or from local logs never pays for it. */
let undici: Promise<typeof import('undici')> | undefined;

/** Maps an undici or system error onto a TransportError kind. */
function toTransportError(error: unknown, timeoutMs: number, errors: typeof import('undici').errors): TransportError {
  const code = (error as { code?: string } | null)?.code ?? '';
  const cause = (error as { cause?: { code?: string } } | null)?.cause?.code ?? '';
  if (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError ||
    (error as Error | null)?.name === 'TimeoutError'
  ) {
    return new TransportError('timeout', `no answer within ${timeoutMs} ms`);
  }
  if (OFFLINE_CODES.has(code) || OFFLINE_CODES.has(cause)) return new TransportError('offline', code || cause);
  if ((error as Error | null)?.name === 'AbortError') return new TransportError('cancelled', 'cancelled');
  return new TransportError('other', code || cause || 'request failed');
}

/** HTTP over undici, with a total timeout per request. */
export const undiciHttp: HttpClient = {
  async get({ url, headers, timeoutMs }): Promise<HttpResponse> {
    const { errors, request } = await (undici ??= import('undici'));
    try {
      const response = await request(url, {
        method: 'GET',
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) break;
        chunks.push(chunk);
      }
      const flat: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { status: response.statusCode, headers: flat, body: Buffer.concat(chunks).toString('utf8') };
    } catch (error) {
      throw toTransportError(error, timeoutMs, errors);
    }
  },
};

/** The largest file read, bytes: Codex's rollouts run to a few MiB; nothing Headroom reads is larger. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * A regular file's text, or null when it does not exist. Opened non-blocking, so that a FIFO (or a device, a socket)
 * in place of a credentials file is refused at once instead of waiting for a writer forever; a file that is not
 * regular or is larger than {@link MAX_FILE_BYTES} rejects.
 */
export async function readRegularFile(path: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error(`${path} is not a regular file`);
    if (info.size > MAX_FILE_BYTES) throw new Error(`${path} is larger than ${MAX_FILE_BYTES} bytes`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

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
};

/** Subprocesses via execFile: argv only, no shell, killed at the timeout. */
export const nodeSubprocess: Subprocess = {
  run(argv, { timeoutMs }) {
    const [file, ...args] = argv;
    if (!file) return Promise.reject(new Error('empty argv'));
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
 * All ports for this process. `now` overrides the clock (the `HEADROOM_NOW` variable, for reproducing a past
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
    http: undiciHttp,
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
  };
}
