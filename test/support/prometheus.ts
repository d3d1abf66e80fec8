/**
 * A real Prometheus for tests (Debian's `prometheus` package, `/usr/bin/prometheus`), started on a free loopback port
 * with its own configuration and a throwaway TSDB, scraping loopback targets every second; and such a target, a Node
 * HTTP server serving Prometheus exposition text that a test changes as it goes, the way Claude Code's exporter (or an
 * OpenTelemetry Collector) changes it as sessions run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The prometheus binary on PATH, or null. */
export function prometheusBinary(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** A free TCP port on 127.0.0.1 (free when asked; Prometheus binds it right after). */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One series of an exposition: a metric name, its labels and its value. */
export interface ExpositionSeries {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Exposition text (Prometheus text format 0.0.4): `# TYPE` lines, then one line per series. */
export function expositionText(series: readonly ExpositionSeries[]): string {
  const lines: string[] = [];
  const typed = new Set<string>();
  for (const s of series) {
    if (!typed.has(s.name)) {
      typed.add(s.name);
      lines.push(`# TYPE ${s.name} ${s.name.endsWith('_total') ? 'counter' : 'gauge'}`);
    }
    const labels = Object.entries(s.labels)
      .map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
      .join(',');
    lines.push(`${s.name}{${labels}} ${s.value}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A scrape target: serves, per path, whatever exposition the test sets, and records when each path was scraped. */
export class ExpositionTarget {
  private server: Server | undefined;
  port = 0;
  /** The series served per path. */
  readonly series = new Map<string, ExpositionSeries[]>();
  /** When each path was last scraped, epoch ms. */
  readonly scrapedAt = new Map<string, number[]>();

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      const series = this.series.get(path);
      if (!series) {
        response.writeHead(404).end();
        return;
      }
      const times = this.scrapedAt.get(path) ?? [];
      times.push(Date.now());
      this.scrapedAt.set(path, times);
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(expositionText(series));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  /** Resolves after every path has been scraped `count` more times (rejects after `timeoutMs`). */
  async scrapes(count: number, timeoutMs = 15_000): Promise<void> {
    const paths = [...this.series.keys()];
    const before = new Map(paths.map((path) => [path, this.scrapedAt.get(path)?.length ?? 0]));
    const deadline = Date.now() + timeoutMs;
    while (paths.some((path) => (this.scrapedAt.get(path)?.length ?? 0) < before.get(path)! + count)) {
      if (Date.now() > deadline) throw new Error(`fewer than ${count} scrapes of ${paths.join(', ')}`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** A running Prometheus. */
export interface RunningPrometheus {
  /** Its base URL, http://127.0.0.1:<port>. */
  url: string;
  /** Stops it and removes its configuration and TSDB. */
  stop(): Promise<void>;
}

/**
 * Starts `binary` with a configuration scraping `http://127.0.0.1:<targetPort><path>` for each job (scrape interval
 * 1 s), its TSDB in a temporary directory, listening on a free loopback port; resolves once `/-/ready` answers 200.
 */
export async function startPrometheus(
  binary: string,
  targetPort: number,
  jobs: Record<string, string>,
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-prometheus-'));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    ...Object.entries(jobs).flatMap(([job, path]) => [
      `  - job_name: ${job}`,
      `    metrics_path: ${path}`,
      '    static_configs:',
      `      - targets: ['127.0.0.1:${targetPort}']`,
    ]),
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited early:\n${log}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready:\n${log}`);
    }
    await sleep(100);
  }
}

/** An instant query straight against the API (for the tests' own checks): the result vector. */
export async function promQuery(
  url: string,
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as {
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  return body.data.result;
}
