/**
 * The CLI's scan threads (core/usage/scan.ts `FileScanPool`): on a cold scan, worker threads read the log files
 * (open, read, find the usage lines, parse and check them) while the main thread dedupes their entries in file
 * order, so the result is exactly a sequential scan's and the work uses every core. Each thread runs this same
 * standalone file with {@link SCAN_WORKER_ARG} and serves batches of files; entries come back as one transferable
 * block per batch (rows of core/usage/entry-table.ts, with the strings they index), not as cloned objects.
 *
 * A thread that dies loses only its batches in flight: the scanner reads those files itself.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import {
  ENTRY_ROW,
  EntryTable,
  type FileOutcome,
  type FileScanPool,
  type FileTask,
  type PoolRun,
  type ScanStats,
  type UsageEntry,
  readLogFile,
} from '../core/usage/index.js';
import { nodeScanFiles } from './node-ports.js';

/** The argument that makes this file a scan thread instead of the CLI. */
export const SCAN_WORKER_ARG = '--headroom-scan-worker';
/** Files per batch: large enough to amortise a message, small enough to keep every thread busy to the end. */
const BATCH_FILES = 16;
/** Batches each thread holds at once (one being read, one waiting). */
const IN_FLIGHT = 2;
/** Batches each thread may be given while the scan still lists folders (and cannot hear its replies). */
const QUEUED_WHILE_LISTING = 32;
/** Threads at most: past this the disk and the main thread's dedupe are the limit. */
const MAX_THREADS = 4;

interface BatchRequest {
  batch: number;
  tasks: FileTask[];
  chunkBytes: number;
}

interface BatchResult {
  batch: number;
  /** Per file, in order: its outcome without its entries, and how many of the block's entries are its. */
  files: { read: FileOutcome['read']; stats: ScanStats; count: number }[];
  rows: Float64Array;
  strings: string[];
}

/**
 * A pool of scan threads running `script` (this bundle's own file), one per core up to {@link MAX_THREADS}; null on
 * a single core, where threads would only compete with the main thread.
 */
export function nodeScanPool(script: URL): FileScanPool | null {
  const threads = Math.min(MAX_THREADS, availableParallelism());
  if (threads < 2) return null;
  return { start: (chunkBytes) => startThreads(script, threads, chunkBytes) };
}

function startThreads(script: URL, threads: number, chunkBytes: number): PoolRun {
  keepYoungGenerationSize();
  const tasks: FileTask[] = [];
  let ended = false;
  const done = new Map<number, FileOutcome>();
  const failed = new Set<number>();
  const waiting = new Map<number, { resolve: (outcome: FileOutcome) => void; reject: (error: Error) => void }>();
  const workers: { worker: Worker; inFlight: Set<number> }[] = [];
  /** The next batch to send. */
  let next = 0;
  let alive = 0;
  /** No thread can read any more: every batch not sent fails. */
  let broken = false;
  let stopped = false;

  /** Batches whose files are all known: whole ones while the scan still lists folders, then the last one too. */
  const ready = (): number => (ended ? Math.ceil(tasks.length / BATCH_FILES) : Math.floor(tasks.length / BATCH_FILES));
  const settle = (i: number): void => {
    const waiter = waiting.get(i);
    if (!waiter) return;
    const outcome = done.get(i);
    if (outcome) {
      done.delete(i);
      waiting.delete(i);
      waiter.resolve(outcome);
    } else if (failed.has(Math.floor(i / BATCH_FILES))) {
      waiting.delete(i);
      waiter.reject(new Error('the scan thread reading this file stopped'));
    }
  };
  const fail = (batch: number): void => {
    failed.add(batch);
    const end = Math.min(tasks.length, (batch + 1) * BATCH_FILES);
    for (let i = batch * BATCH_FILES; i < end; i++) settle(i);
  };
  const failRest = (): void => {
    broken = true;
    for (; next < ready(); next++) fail(next);
  };
  const send = (to: { worker: Worker; inFlight: Set<number> }): void => {
    if (next >= ready() || stopped) return;
    const batch = next++;
    to.inFlight.add(batch);
    const request: BatchRequest = {
      batch,
      tasks: tasks.slice(batch * BATCH_FILES, (batch + 1) * BATCH_FILES),
      chunkBytes,
    };
    to.worker.postMessage(request);
  };
  /**
   * Sends the batches that are ready to the threads holding the fewest. While the scan lists folders its main thread
   * hears no replies (it never yields), so each thread is given up to {@link QUEUED_WHILE_LISTING} batches; after that,
   * {@link IN_FLIGHT}, and one more with each reply.
   */
  const dispatch = (): void => {
    if (broken) return failRest();
    const cap = ended ? IN_FLIGHT : QUEUED_WHILE_LISTING;
    while (next < ready() && !stopped) {
      let to: (typeof workers)[number] | undefined;
      for (const candidate of workers) if (!to || candidate.inFlight.size < to.inFlight.size) to = candidate;
      if (!to || to.inFlight.size >= cap) return;
      send(to);
    }
  };
  const receive = (result: BatchResult): void => {
    const count = result.files.reduce((sum, file) => sum + file.count, 0);
    if (result.rows.length !== count * ENTRY_ROW || !EntryTable.validRows(result.rows, result.strings.length)) {
      fail(result.batch);
      return;
    }
    let at = 0;
    result.files.forEach((file, k) => {
      const i = result.batch * BATCH_FILES + k;
      // Passed on as rows: the scanner's exact path dedupes them without making an object of any.
      const rows = result.rows.subarray(at * ENTRY_ROW, (at + file.count) * ENTRY_ROW);
      done.set(i, { read: file.read, stats: file.stats, entries: [], packed: { rows, strings: result.strings } });
      at += file.count;
      settle(i);
    });
  };

  import('node:worker_threads').then(
    ({ Worker }) => {
      if (stopped) return;
      for (let n = 0; n < threads; n++) {
        let worker: Worker;
        try {
          // A small young generation: a thread's garbage is short-lived (one batch), and the default lets each
          // thread's heap grow by tens of MB between collections (measured: peak RSS 354 -> 317-326 MB, no slower).
          worker = new Worker(script, { argv: [SCAN_WORKER_ARG], resourceLimits: { maxYoungGenerationSizeMb: 4 } });
        } catch {
          continue;
        }
        const entry = { worker, inFlight: new Set<number>() };
        workers.push(entry);
        alive++;
        let lost = false;
        const lose = (): void => {
          if (lost) return;
          lost = true;
          workers.splice(workers.indexOf(entry), 1);
          for (const batch of entry.inFlight) fail(batch);
          entry.inFlight.clear();
          if (--alive === 0) failRest();
        };
        worker.on('message', (result: BatchResult) => {
          entry.inFlight.delete(result.batch);
          receive(result);
          send(entry);
        });
        worker.on('error', lose);
        worker.on('exit', lose);
      }
      if (alive === 0) failRest();
      else dispatch();
    },
    () => failRest(),
  );

  return {
    add: (task) => {
      tasks.push(task);
      if (tasks.length % BATCH_FILES === 0) dispatch();
    },
    end: () => {
      ended = true;
      dispatch();
    },
    outcome: (i) =>
      new Promise<FileOutcome>((resolve, reject) => {
        waiting.set(i, { resolve, reject });
        settle(i);
      }),
    stop: () => {
      stopped = true;
      for (const { worker } of workers) void worker.terminate();
    },
  };
}

/**
 * Stops V8 from growing the young generation of this process's threads, the main one above all. While the main
 * thread lists folders and takes in the threads' rows, V8 doubles its young generation up to 32 MB (64-bit Node's
 * default), and a cold scan of a large corpus then peaks with that much more resident memory. The space's maximum
 * cannot change once a heap exists, but its growth factor is read each time V8 grows it (V8's
 * src/flags/flag-definitions.h, `semi_space_growth_factor`), and Node leaves V8's flags writable. The flag is
 * process-wide, and V8 raises it back to 2 whenever it sets up an isolate (src/heap/heap.cc, `Heap::ConfigureHeap`):
 * so the main thread sets it before starting the threads and each thread again as it starts.
 */
function keepYoungGenerationSize(): void {
  process.getBuiltinModule('node:v8').setFlagsFromString('--semi-space-growth-factor=1');
}

/** The rows of a scan thread's latest batch. */
let batchTable = new EntryTable();

/** Reads one batch of files, as a scan thread. */
async function readBatch(request: BatchRequest): Promise<BatchResult> {
  const files: BatchResult['files'] = [];
  // Each entry becomes a row as its line is read: no entry object lives long enough to be promoted to the old
  // generation, which otherwise grew each thread's heap by tens of MB over a cold scan. The rows go into the same
  // memory batch after batch; a copy of them is sent.
  const table = (batchTable = batchTable.emptied());
  const sink = (entry: UsageEntry): void => void table.push(entry);
  for (const task of request.tasks) {
    const before = table.length;
    const outcome = await readLogFile(nodeScanFiles, task, request.chunkBytes, { sink });
    files.push({ read: outcome.read, stats: outcome.stats, count: table.length - before });
  }
  return { batch: request.batch, files, rows: table.rowsOf(0, table.length), strings: table.strings.strings };
}

/** The loop of a scan thread (this file run with {@link SCAN_WORKER_ARG}): serves batches until terminated. */
export async function runScanThread(): Promise<number | null> {
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) {
    process.stderr.write(`headroom: ${SCAN_WORKER_ARG} is for Headroom's own scan threads\n`);
    return 2;
  }
  keepYoungGenerationSize();
  parentPort.on('message', (request: BatchRequest) => {
    void readBatch(request).then((result) => parentPort.postMessage(result, [result.rows.buffer as ArrayBuffer]));
  });
  return null;
}
