/**
 * Runs the usage scan for the dropdown's Spend section (usage-section.ts), one at a time: in a gjs subprocess
 * (usage-worker.js, started with Gio.Subprocess, its stdout read line by line asynchronously, so the shell only parses a
 * line of JSON), or, where no `gjs` is on PATH, in the shell itself through {@link GioLogReader}, whose reads are
 * async and which yields to the main loop every few milliseconds. Create in enable(), destroy in disable(): the
 * subprocess is killed, reads in flight are cancelled, and no callback runs afterwards.
 */
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import type { ScanRoot } from '../core/usage/scan.js';
import type { AccountUsageV1 } from '../core/usage/summary.js';
import type { GjsPorts } from './gjs-ports.js';
import { GioLogReader } from './log-reader.js';
import { type ScanRequest, WorkerOutputSchema, scanFigures } from './usage-scan.js';

Gio._promisify(Gio.DataInputStream.prototype, 'read_line_async', 'read_line_finish');
Gio._promisify(Gio.Subprocess.prototype, 'wait_async', 'wait_finish');

/** What the Spend section shows. */
export type UsageStatus =
  /** The first scan is running (a cold scan of large logs takes seconds). */
  | { state: 'scanning' }
  /** No usage in any log (no logs, or none with usage lines). */
  | { state: 'empty' }
  /** The scan failed; `message` says why (no secrets: paths and Gio's error text). */
  | { state: 'error'; message: string }
  /** Figures by account key; `reportPath` the report file, null when it could not be written. */
  | { state: 'ok'; usage: Map<string, AccountUsageV1>; reportPath: string | null };

/**
 * The first scan waits this long after enable(), ms: the shell's start-up (and an extension disabled again at once)
 * needs no log scan, and no worker process is started and killed for it.
 */
const FIRST_SCAN_DELAY_MS = 5_000;

/** Single-flight scans; see the module comment. */
export class UsageScanner {
  /** When the last scan finished, epoch ms (0: never). */
  lastScanAt = 0;
  private readonly createdAt = Date.now();
  /** The timeout that starts the first scan (0: none). */
  private delayId = 0;
  private running = false;
  private destroyed = false;
  private child: Gio.Subprocess | null = null;
  /** Cancels the worker's reads and wait on destroy(). */
  private readonly cancellable = new Gio.Cancellable();
  private reader: GioLogReader | null = null;
  private status: UsageStatus = { state: 'scanning' };

  /**
   * `workerPath` is usage-worker.js in the extension's folder; `request` gives the folders to scan (core's
   * `usageRoots`), the state directory, now and the zone; `onStatus` receives every new status.
   */
  constructor(
    private readonly ports: GjsPorts,
    private readonly workerPath: string,
    private readonly request: () => ScanRequest,
    private readonly onStatus: (status: UsageStatus) => void,
  ) {}

  /** The last status (scanning until the first scan ends). */
  get current(): UsageStatus {
    return this.status;
  }

  /**
   * Starts a scan unless one runs or the last ended less than `maxAgeMs` ago; within the first
   * {@link FIRST_SCAN_DELAY_MS} after enable(), schedules it for then.
   */
  scanIfOlder(maxAgeMs: number): void {
    if (this.running || this.destroyed || Date.now() - this.lastScanAt < maxAgeMs) return;
    const wait = this.createdAt + FIRST_SCAN_DELAY_MS - Date.now();
    if (wait > 0) {
      if (this.delayId === 0) {
        this.delayId = GLib.timeout_add(GLib.PRIORITY_DEFAULT, wait, () => {
          this.delayId = 0;
          this.scanIfOlder(maxAgeMs);
          return GLib.SOURCE_REMOVE;
        });
        GLib.Source.set_name_by_id(this.delayId, '[headroom] first usage scan');
      }
      return;
    }
    this.running = true;
    void this.scan().finally(() => {
      this.running = false;
      this.lastScanAt = Date.now();
    });
  }

  private async scan(): Promise<void> {
    let status: UsageStatus;
    try {
      const request = this.request();
      const gjs = GLib.find_program_in_path('gjs');
      const figures = gjs ? await this.inWorker(gjs, request) : await this.inShell(request);
      const usage = new Map(Object.entries(figures.usage));
      status = usage.size === 0 ? { state: 'empty' } : { state: 'ok', usage, reportPath: figures.reportPath };
    } catch (error) {
      status = { state: 'error', message: error instanceof Error ? error.message : String(error) };
    }
    if (this.destroyed) return;
    this.status = status;
    this.onStatus(status);
  }

  /** The scan in a gjs subprocess (see usage-worker.ts). */
  private async inWorker(
    gjs: string,
    request: ScanRequest,
  ): Promise<{
    usage: Record<string, AccountUsageV1>;
    reportPath: string | null;
  }> {
    // INHERIT_FDS lets GLib start the child with posix_spawn (a vfork) instead of fork(): forking GNOME Shell copies
    // its page tables, which held the main loop for ~30 ms in the end-to-end test. GLib and the shell open their
    // descriptors close-on-exec, so the worker inherits only its pipes and the standard streams.
    const launcher = new Gio.SubprocessLauncher({
      flags: Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_SILENCE | Gio.SubprocessFlags.INHERIT_FDS,
    });
    // The worker's I/O and CPU yield to the session's: it runs niced when `nice` exists.
    const nice = GLib.find_program_in_path('nice');
    const argv = [gjs, '-m', this.workerPath, JSON.stringify(request)];
    const child = launcher.spawnv(nice ? [nice, '-n', '10', ...argv] : argv);
    this.child = child;
    // Its stdout line by line, then its exit, both cancelled by destroy() (the pattern GjsPorts uses for Codex's
    // app-server through hundreds of enable/disable cycles).
    const lines: string[] = [];
    try {
      const stdout = new Gio.DataInputStream({ base_stream: child.get_stdout_pipe()!, close_base_stream: true });
      for (;;) {
        const [bytes] = await stdout.read_line_async(GLib.PRIORITY_DEFAULT_IDLE, this.cancellable);
        if (bytes === null) break;
        lines.push(new TextDecoder().decode(bytes));
      }
      await child.wait_async(this.cancellable);
    } finally {
      this.child = null;
    }
    if (this.destroyed) throw new Error('cancelled');
    const line = lines.filter((text) => text.trim() !== '').pop() ?? '';
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new Error(`the usage scan ended without a result (exit status ${child.get_exit_status()})`);
    }
    const output = WorkerOutputSchema.safeParse(json);
    if (!output.success) throw new Error('the usage scan gave a malformed result');
    if (!output.data.ok) throw new Error(output.data.message);
    return output.data.figures as { usage: Record<string, AccountUsageV1>; reportPath: string | null };
  }

  /** The scan in the shell's main loop, yielding every few ms (no gjs on PATH). */
  private async inShell(request: ScanRequest): Promise<{
    usage: Record<string, AccountUsageV1>;
    reportPath: string | null;
  }> {
    const reader = new GioLogReader();
    this.reader = reader;
    try {
      return await scanFigures(reader, (path, text) => this.ports.writePrivateFile(path, text), request);
    } finally {
      this.reader = null;
    }
  }

  /** Stops the scan in flight; nothing is reported afterwards. */
  destroy(): void {
    this.destroyed = true;
    if (this.delayId !== 0) GLib.Source.remove(this.delayId);
    this.delayId = 0;
    this.cancellable.cancel();
    this.child?.force_exit();
    this.child = null;
    this.reader?.cancel();
    this.reader = null;
  }
}

/** The roots of a request, copied (a ScanRoot list from core's `usageRoots`). */
export function scanRequest(roots: readonly ScanRoot[], stateDir: string, now: number): ScanRequest {
  return {
    roots: roots.map((root) => ({ provider: root.provider, account: root.account, directory: root.directory })),
    stateDir,
    now,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  };
}
