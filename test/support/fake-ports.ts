/**
 * In-memory implementations of core's ports for unit tests: a file tree, a scripted HTTP server, a fixed clock.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DirEntry, FileStat, HttpRequest, HttpResponse, Ports, ProcessResult } from '../../core/ports.js';

/** Absolute path of a file under test/fixtures. */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
}

/** The text of a file under test/fixtures. */
export function fixtureText(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

/** The parsed JSON of a file under test/fixtures. */
export function fixtureJson(relative: string): unknown {
  return JSON.parse(fixtureText(relative));
}

/** A scripted HTTP handler: answers a request, or throws (e.g. a TransportError) to simulate no response. */
export type FakeHandler = (request: HttpRequest) => HttpResponse | Promise<HttpResponse>;

export interface FakePortsOptions {
  /** Files by absolute path; leave a path out for "absent". */
  files?: Record<string, string | { text: string; mtimeMs: number }>;
  /** Paths that exist but cannot be read (readText rejects). */
  unreadable?: string[];
  http?: FakeHandler;
  now?: number;
  env?: Record<string, string>;
  home?: string;
  platform?: string;
  user?: string;
  /** Answers for subprocess runs, keyed by argv joined with spaces. */
  processes?: Record<string, ProcessResult>;
}

/** Fake ports plus the record of what they were asked. */
export interface FakePorts extends Ports {
  requests: HttpRequest[];
  commands: string[][];
}

/** Builds fake ports over an in-memory file tree. Directories are implied by the file paths. */
export function fakePorts(options: FakePortsOptions = {}): FakePorts {
  const files = new Map<string, { text: string; mtimeMs: number }>();
  const now = options.now ?? Date.UTC(2026, 10, 22, 5, 0, 0);
  for (const [path, value] of Object.entries(options.files ?? {})) {
    files.set(path, typeof value === 'string' ? { text: value, mtimeMs: now } : value);
  }
  const unreadable = new Set(options.unreadable ?? []);
  const requests: HttpRequest[] = [];
  const commands: string[][] = [];
  const env = options.env ?? {};

  const list = async (dir: string): Promise<DirEntry[] | null> => {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const entries = new Map<string, boolean>();
    for (const path of files.keys()) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) entries.set(rest, false);
      else entries.set(rest.slice(0, slash), true);
    }
    if (entries.size === 0) return null;
    return [...entries].map(([name, isDirectory]) => ({ name, isDirectory }));
  };

  return {
    requests,
    commands,
    http: {
      async get(request) {
        requests.push(request);
        if (!options.http) throw new Error('no HTTP handler in this test');
        return options.http(request);
      },
      // A POST reaches the same handler; it tells one from a GET by the `body` the request carries.
      async post(request) {
        requests.push(request);
        if (!options.http) throw new Error('no HTTP handler in this test');
        return options.http(request);
      },
    },
    files: {
      async readText(path) {
        if (unreadable.has(path)) throw new Error(`EACCES: permission denied, open '${path}'`);
        return files.get(path)?.text ?? null;
      },
      list,
      async stat(path): Promise<FileStat | null> {
        const file = files.get(path);
        return file ? { size: file.text.length, mtimeMs: file.mtimeMs } : null;
      },
    },
    subprocess: {
      async run(argv) {
        commands.push(argv);
        const answer = options.processes?.[argv.join(' ')];
        if (!answer) throw new Error(`spawn ${argv[0]} ENOENT`);
        return answer;
      },
    },
    clock: { now: () => now },
    log: { debug() {}, warn() {} },
    env: {
      get: (name) => (env[name] === '' ? undefined : env[name]),
      home: options.home ?? '/home/dev',
      platform: options.platform ?? 'linux',
      user: options.user ?? 'dev',
    },
  };
}

/** A JSON response. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}
