/**
 * Headroom's SwiftBar/xbar plugin and command-line tool: one short run that refreshes the providers (sparing their
 * APIs with the cached state), prints the menu or the JSON document on stdout, and saves the state.
 *
 * Usage: headroom [--format swiftbar|xbar|text|json|waybar] [--refresh] [--stream] [--verbose] [--help] [--version]
 *        headroom telemetry [--range 1h|24h|7d|30d] [--json]   (telemetry-command.ts)
 *        headroom login claude [--manual] | headroom logout claude   (login-oauth.ts)
 *        headroom login|logout claude-web [--org …]            (login-web.ts)
 *        headroom report daily|weekly|monthly|session|blocks [--json] …   (report.ts)
 */
import { join, resolve } from 'node:path';
import { CATALOG, providerEnvName, signInSources } from '../core/catalog.js';
import { openHistory } from '../core/history.js';
import { toJsonDocument } from '../core/json-output.js';
import { presentMenu } from '../core/present.js';
import { PROVIDERS } from '../core/providers/index.js';
import { type Ports, TransportError } from '../core/ports.js';
import { type RefreshOutcome, type StateDocument, runRefresh } from '../core/session.js';
import { type Settings, loadSettings } from '../core/settings.js';
import { nodePorts } from './node-ports.js';
import { deliver, notifierFor } from './notify.js';
import { type MenuFormat, renderMenuBar, renderText } from './render.js';
import { acquireLock, removeStaleTemps } from './single-flight.js';
import { SCAN_WORKER_ARG, runScanThread } from './scan-threads.js';
import { renderWaybar } from './waybar.js';
import { writeStdout } from './files.js';
import { loadIntlReplay, saveIntlReplay } from './locale-facts.js';
import { HISTORY_FILE, loadState, nodeHistoryFile, saveState, stateDirectory } from './state.js';
import { loadCliTelemetry, runTelemetryCommand } from './telemetry-command.js';
import { type TelemetryReport, presentTelemetry } from '../core/telemetry/index.js';
import { type AccountUsageV1, usageView } from '../core/usage/summary.js';

declare const HEADROOM_VERSION: string;

type OutputFormat = MenuFormat | 'json' | 'waybar';
const FORMATS: OutputFormat[] = ['swiftbar', 'xbar', 'text', 'json', 'waybar'];

/** The usage text, naming the providers of the catalog and their variables. */
function helpText(): string {
  const tools = CATALOG.map((info) => info.tool);
  const providerLines = CATALOG.map(
    (info) =>
      `  ${providerEnvName(info.id).padEnd(28)} auto, ${info.sources.map((s) => s.id).join(', ')} or off\n` +
      `  ${info.directories.env.padEnd(28)} more ${info.directories.nouns} (one account each), ':'-separated`,
  ).join('\n');
  return `Headroom: the usage limits of ${tools.slice(0, -1).join(', ')} and ${tools[tools.length - 1]} on this machine.

Usage: headroom [--format swiftbar|xbar|text|json|waybar] [--refresh] [--stream] [--verbose]
       headroom telemetry [--range 1h|24h|7d|30d] [--json]    (see headroom telemetry --help)
       headroom statusline [install|uninstall] [--config-dir DIR]
       headroom login claude [--manual] | headroom logout claude   (Headroom's own Claude sign-in)
       headroom login claude-web [--org UUID|NAME]...  (reads the claude.ai sessionKey from stdin)
       headroom logout claude-web
       headroom report daily|weekly|monthly|session|blocks [--json] [--since D] [--until D] [--timezone Z]

  --format F   swiftbar (default when SWIFTBAR=1), xbar (default under xbar), text (default), json,
               waybar (one JSON line for a Waybar custom module)
  --refresh    ask the providers now instead of serving a result cached less than a minute ago
  --stream     stay running (SwiftBar's streamable mode): print a new menu, after a '~~~' line, whenever
               Codex, Claude Code or the status line write their files, and every minute otherwise
  --verbose    diagnostics on stderr
  --version    print the version

Settings: ~/.config/headroom/config.json and HEADROOM_* variables (see README.md), among them
${providerLines}
  ${'HEADROOM_PROMETHEUS_URL'.padEnd(28)} the Prometheus holding Claude Code's metrics (the Telemetry section)
`;
}

interface Options {
  format: OutputFormat;
  refresh: boolean;
  verbose: boolean;
  /** SwiftBar's streamable mode: one long-lived process printing a new menu on each change (stream.ts). */
  stream: boolean;
}

/** Parses argv; returns a message for --help/--version or a usage error. */
function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Options | { exit: number; text: string } {
  let format: OutputFormat | undefined;
  let refresh = false;
  let verbose = false;
  let stream = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--refresh') refresh = true;
    else if (arg === '--stream') stream = true;
    else if (arg === '--verbose') verbose = true;
    else if (arg === '--help' || arg === '-h') return { exit: 0, text: helpText() };
    else if (arg === '--version') return { exit: 0, text: `headroom ${HEADROOM_VERSION}\n` };
    else if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? argv[++i] : arg.slice('--format='.length);
      if (!FORMATS.includes(value as OutputFormat)) {
        return { exit: 2, text: `headroom: --format takes one of ${FORMATS.join(', ')}\n` };
      }
      format = value as OutputFormat;
    } else return { exit: 2, text: `headroom: unknown argument ${JSON.stringify(arg)}\n\n${helpText()}` };
  }
  format ??= stream
    ? 'swiftbar'
    : env.SWIFTBAR === '1'
      ? 'swiftbar'
      : env.XBARDarkMode || env.BitBarDarkMode
        ? 'xbar'
        : 'text';
  if (stream && format !== 'swiftbar' && format !== 'waybar') {
    return { exit: 2, text: 'headroom: --stream prints the swiftbar or waybar format\n' };
  }
  return { format, refresh, verbose, stream };
}

/** The ports of this run: `HEADROOM_NOW` (an ISO 8601 instant) pins the clock. */
function makePorts(verbose: boolean): ReturnType<typeof nodePorts> {
  const fixedNow = process.env.HEADROOM_NOW ? Date.parse(process.env.HEADROOM_NOW) : undefined;
  return nodePorts({ now: Number.isNaN(fixedNow) ? undefined : fixedNow, verbose });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === 'statusline') {
    // Claude Code's status-line hook runs on every render: loaded only here, and it needs none of the rest.
    const { statusLineCommand } = await import('./statusline.js');
    return statusLineCommand(args.slice(1));
  }
  if (args[0] === 'telemetry') return runTelemetryCommand(args.slice(1), makePorts);
  // `login`/`logout` of a source Headroom signs in to itself: the targets and how each signs in come from the catalog.
  const verb = args[0] === 'login' || args[0] === 'logout' ? args[0] : null;
  const signIn = verb && signInSources().find(({ signIn }) => signIn.target === args[1])?.signIn;
  if (signIn?.kind === 'oauth') return (await import('./login-oauth.js')).oauthCommand(args, makePorts);
  if (verb && signIn?.kind === 'session-key') {
    return (await import('./login-web.js')).loginWebCommand(verb, args.slice(2), makePorts(false));
  }
  if (args[0] === 'report') {
    // Reads the local logs: loaded only for this command.
    const { runReportCommand } = await import('./report.js');
    return runReportCommand(args.slice(1), (verbose) => makePorts(verbose));
  }
  const parsed = parseArgs(args, process.env);
  if ('exit' in parsed) {
    (parsed.exit === 0 ? process.stdout : process.stderr).write(parsed.text);
    return parsed.exit;
  }
  const ports = makePorts(parsed.verbose);
  if (parsed.stream) {
    const { runStream } = await import('./stream.js');
    return runStream(ports, () => oneRun(parsed, ports), parsed.format === 'swiftbar' ? '~~~\n' : '');
  }
  return oneRun(parsed, ports);
}

/**
 * One run: refresh (or wait for another run's refresh), save, notify, print. Returns the exit code; exits the process
 * itself when the run deadline passes (something hung).
 */
async function oneRun(parsed: Options, ports: Ports): Promise<number> {
  const deadlineMs =
    Number(process.env.HEADROOM_DEADLINE_MS) > 0 ? Number(process.env.HEADROOM_DEADLINE_MS) : DEADLINE_MS;
  const runDeadline = Date.now() + deadlineMs;
  try {
    const { settings, problems } = await loadSettings(ports);
    for (const problem of problems) ports.log.warn(problem);
    const directory = stateDirectory(process.env, ports.env.home);
    loadIntlReplay(directory, process.env);
    const pluginPath = resolve(process.argv[1] ?? 'headroom');
    const history = openHistory(nodeHistoryFile(join(directory, HISTORY_FILE)));
    // Telemetry is asked alongside the providers and never changes their outcome, not even by a bug of its own.
    const telemetry = loadCliTelemetry(ports, settings).catch((error: unknown) => {
      ports.log.warn(`telemetry: internal error: ${(error as Error | null)?.message ?? String(error)}`);
      return null;
    });
    // Tokens and cost from the local logs, read alongside (incrementally, swiftbar-plugin/report.ts); like telemetry
    // it never changes the providers' outcome.
    const usage = import('./report.js')
      .then(({ loadCliUsage }) => loadCliUsage(ports, settings, directory))
      .catch(() => null);
    const startedAt = ports.clock.now();
    // One run at a time refreshes; the others wait for its saved result (swiftbar-plugin/single-flight.ts).
    const lock = await acquireLock(directory, Math.max(0, Math.min(LOCK_WAIT_MS, runDeadline - Date.now() - 1000)));
    const notices: string[] = [];
    try {
      if (lock) await removeStaleTemps(directory, Date.now());
      const state = await loadState(directory);
      // A forced run that waited for another run's refresh serves that one's answer instead of asking again.
      const force = parsed.refresh && !(lock?.waited && attemptedSince(state, startedAt));
      const refreshing = runRefresh(ports, settings, state, history, { force });
      const outcome = await Promise.race([refreshing, timeout(runDeadline)]);
      if (outcome === 'timeout') {
        // Something hung (a file system, a socket): print what the state already holds, save and notify nothing.
        ports.log.warn(`no result within ${deadlineMs} ms; showing the last saved values`);
        const cached = await runRefresh(deadPorts(ports), settings, state, null, { force: false });
        print(parsed.format, cached, ports.clock.now(), settings, pluginPath, null, [
          `This run stopped after ${Math.round(deadlineMs / 1000)} s: the values are the last saved ones.`,
        ]);
        process.exit(0);
      }
      if (outcome.historyError) ports.log.debug(`history: ${outcome.historyError}`);
      let saved = lock !== null;
      if (lock) {
        await saveState(directory, outcome.state).catch((error: unknown) => {
          saved = false;
          ports.log.warn(`could not save state in ${directory}: ${(error as Error).message}`);
        });
      }
      if (!saved) {
        notices.push(
          lock
            ? `Headroom can't save its state in ${directory}, so it asks the providers at every run and can't notify. Fix: make that folder writable, or set XDG_STATE_HOME to one that is.`
            : `Headroom can't lock its state in ${directory}, so this run shows its values without saving or notifying. Fix: make that folder writable, or set XDG_STATE_HOME to one that is.`,
        );
      }
      // Nothing can be remembered: notifying would repeat the same alerts at every run.
      const alerts = saved ? outcome.alerts : [];
      const failures = await deliver(alerts, notifierFor(process.env, process.platform), pluginPath);
      for (const failure of failures) ports.log.warn(failure);
      const report = await Promise.race([telemetry, timeout(runDeadline).then(() => null)]);
      const spent = await Promise.race([usage, timeout(runDeadline).then(() => null)]);
      print(parsed.format, { ...outcome, alerts }, ports.clock.now(), settings, pluginPath, report, notices, spent);
      await saveIntlReplay(directory);
      return 0;
    } finally {
      await lock?.release();
    }
  } catch (error) {
    // A bug, not bad input (bad input is a typed state): say so briefly, without a stack, and keep the item visible.
    const message = (error as Error | null)?.message ?? String(error);
    ports.log.warn(`internal error: ${message}`);
    if (parsed.format === 'swiftbar' || parsed.format === 'xbar') {
      process.stdout.write('Headroom ⚠ | color=#c41e1e\n---\nHeadroom hit an internal error; run it with --verbose\n');
      return 0;
    }
    if (parsed.format === 'waybar') {
      const line = {
        text: 'Headroom ⚠',
        tooltip: 'Headroom hit an internal error; run it with --verbose',
        class: 'critical',
      };
      process.stdout.write(`${JSON.stringify({ ...line, percentage: 0, alt: 'critical' })}\n`);
      return 0;
    }
    return 1;
  }
}

/** The longest a run may take before it prints what it has, ms (the API timeouts are 15 s). */
const DEADLINE_MS = 40_000;
/** The longest a run waits for another run's refresh, ms. */
const LOCK_WAIT_MS = 20_000;

/** Resolves to `'timeout'` at `at` (epoch ms); the timer does not keep the process alive. */
function timeout(at: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, at - Date.now())).unref());
}

/** True when some source of the state was asked at or after `since` (epoch ms), by another run. */
function attemptedSince(state: StateDocument, since: number): boolean {
  return Object.values(state.memory).some((account) =>
    Object.values(account.sources).some((source) => source.lastAttemptAt !== null && source.lastAttemptAt >= since),
  );
}

/** Ports that answer nothing: a refresh over them only shows what the state holds. */
function deadPorts(ports: Ports): Ports {
  const refuse = (): Promise<never> => Promise.reject(new TransportError('timeout', 'run deadline'));
  return {
    ...ports,
    http: { get: refuse },
    files: { readText: refuse, list: refuse, stat: refuse },
    subprocess: { run: refuse },
  };
}

/** Prints the run's result in its format: JSON v1, the terminal view or the SwiftBar/xbar menu. */
function print(
  format: OutputFormat,
  outcome: Pick<RefreshOutcome, 'snapshots' | 'alerts' | 'samples' | 'offline'>,
  now: number,
  settings: Settings,
  pluginPath: string,
  telemetry: TelemetryReport | null,
  notices: string[],
  usage: Map<string, AccountUsageV1> | null = null,
): void {
  if (format === 'json') {
    const document = toJsonDocument(outcome.snapshots, now, outcome.alerts, telemetry, usage);
    const withNotices = notices.length > 0 ? { ...document, notices } : document;
    writeStdout(`${JSON.stringify(withNotices, null, 2)}\n`);
    return;
  }
  const menu = presentMenu(outcome.snapshots, PROVIDERS, settings, {
    now,
    samples: outcome.samples,
    offline: outcome.offline,
  });
  if (telemetry) menu.telemetry = presentTelemetry(telemetry, { locale: settings.locale });
  if (usage) menu.usage = usageView(menu.providers, usage, settings.locale);
  writeStdout(
    format === 'waybar'
      ? renderWaybar(menu)
      : format === 'text'
        ? renderText(menu, notices)
        : renderMenuBar(menu, format, { pluginPath, notices }),
  );
}

// Exit as soon as the result is out: an idle keep-alive connection of fetch's pool would hold the process open for
// a while, and every SwiftBar refresh would wait for it. Standard output is written synchronously (writeStdout).
// The same file serves as `headroom report`'s scan threads (scan-threads.ts): a thread stays until it is ended.
if (process.argv[2] === SCAN_WORKER_ARG) {
  const code = await runScanThread();
  if (code !== null) process.exit(code);
} else process.exit(await main());
