/**
 * The GNOME extension's usage scan in its own process: `gjs -m usage-worker.js '<request JSON>'` (a
 * {@link ScanRequest}: the log folders, the state directory, now and the time zone; paths only, no secrets). It
 * scans (usage-scan.ts), saves the shared index and the report file, and prints one line of JSON on stdout
 * ({@link WorkerOutput}); the exit code is 0 either way. Running apart, a cold scan of hundreds of MB (parsing,
 * deduping, serialising the index) never holds up GNOME Shell's main loop nor grows its memory.
 */
import './zod-jitless.js';
import GLib from 'gi://GLib';
import System from 'system';
import { GjsPorts } from './gjs-ports.js';
import { GioLogReader } from './log-reader.js';
import { ScanRequestSchema, type WorkerOutput, scanFigures } from './usage-scan.js';

async function main(): Promise<WorkerOutput> {
  let json: unknown;
  try {
    json = JSON.parse(System.programArgs[0] ?? '');
  } catch {
    return { ok: false, message: 'the scan request is not JSON' };
  }
  const request = ScanRequestSchema.safeParse(json);
  if (!request.success) return { ok: false, message: 'the scan request is malformed' };
  const ports = new GjsPorts('headroom usage worker');
  try {
    // Blocking reads: this process does nothing else (log-reader.ts).
    const figures = await scanFigures(new GioLogReader(true), (path, text) => ports.writePrivateFile(path, text), {
      ...request.data,
      roots: request.data.roots.map((root) => ({ ...root })),
    });
    return { ok: true, figures };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    ports.destroy();
  }
}

const loop = new GLib.MainLoop(null, false);
let output: WorkerOutput = { ok: false, message: 'the scan ended early' };
void main()
  .then((result) => (output = result))
  .finally(() => loop.quit());
loop.run();
print(JSON.stringify(output));
