/**
 * Node implementations of core's ports for the SwiftBar plugin and CLI: node:http(s) for HTTP, node:fs for files,
 * execFile for subprocesses (never a shell), stderr for diagnostics.
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { readRegularFile } from './files.js';
import { cliSecretStore } from './keyring.js';
import {
  type DirEntry,
  type FileReader,
  type FileStat,
  type HttpClient,
  type HttpPostRequest,
  type HttpRequest,
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
    secrets: cliSecretStore(process.platform),
  };
}
