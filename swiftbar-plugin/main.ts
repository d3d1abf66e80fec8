/**
 * Headroom's SwiftBar/xbar plugin and command-line tool: one short run that refreshes the providers (sparing their
 * APIs with the cached state), prints the menu or the JSON document on stdout, and saves the state.
 *
 * Usage: headroom [--format swiftbar|xbar|text|json|waybar] [--refresh] [--verbose] [--help] [--version]
 *        headroom telemetry [--range 1h|24h|7d|30d] [--json]   (telemetry-command.ts)
 */
import { join, resolve } from 'node:path';
import { CATALOG, providerEnvName } from '../core/catalog.js';
import { openHistory } from '../core/history.js';
import { toJsonDocument } from '../core/json-output.js';
import { presentMenu } from '../core/present.js';
import { PROVIDERS } from '../core/providers/index.js';
import { runRefresh } from '../core/session.js';
import { loadSettings } from '../core/settings.js';
import { nodePorts } from './node-ports.js';
import { deliver, notifierFor } from './notify.js';
import { type MenuFormat, renderMenuBar, renderText } from './render.js';
import { renderWaybar } from './waybar.js';
import { HISTORY_FILE, loadState, nodeHistoryFile, saveState, stateDirectory } from './state.js';
import { loadCliTelemetry, runTelemetryCommand } from './telemetry-command.js';
import { presentTelemetry } from '../core/telemetry/index.js';

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

Usage: headroom [--format swiftbar|xbar|text|json|waybar] [--refresh] [--verbose]
       headroom telemetry [--range 1h|24h|7d|30d] [--json]    (see headroom telemetry --help)
       headroom statusline [install|uninstall] [--config-dir DIR]

  --format F   swiftbar (default when SWIFTBAR=1), xbar (default under xbar), text (default), json,
               waybar (one JSON line for a Waybar custom module)
  --refresh    ask the providers now instead of serving a result cached less than a minute ago
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
}

/** Parses argv; returns a message for --help/--version or a usage error. */
function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Options | { exit: number; text: string } {
  let format: OutputFormat | undefined;
  let refresh = false;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--refresh') refresh = true;
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
  format ??= env.SWIFTBAR === '1' ? 'swiftbar' : env.XBARDarkMode || env.BitBarDarkMode ? 'xbar' : 'text';
  return { format, refresh, verbose };
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
  const parsed = parseArgs(args, process.env);
  if ('exit' in parsed) {
    (parsed.exit === 0 ? process.stdout : process.stderr).write(parsed.text);
    return parsed.exit;
  }
  const ports = makePorts(parsed.verbose);
  try {
    const { settings, problems } = await loadSettings(ports);
    for (const problem of problems) ports.log.warn(problem);
    const directory = stateDirectory(process.env, ports.env.home);
    const pluginPath = resolve(process.argv[1] ?? 'headroom');
    const history = openHistory(nodeHistoryFile(join(directory, HISTORY_FILE)));
    // Telemetry is asked alongside the providers and never changes their outcome, not even by a bug of its own.
    const telemetry = loadCliTelemetry(ports, settings).catch((error: unknown) => {
      ports.log.warn(`telemetry: internal error: ${(error as Error | null)?.message ?? String(error)}`);
      return null;
    });
    const outcome = await runRefresh(ports, settings, await loadState(directory), history, { force: parsed.refresh });
    if (outcome.historyError) ports.log.debug(`history: ${outcome.historyError}`);
    await saveState(directory, outcome.state).catch((error: unknown) =>
      ports.log.warn(`could not save state in ${directory}: ${(error as Error).message}`),
    );
    const failures = await deliver(outcome.alerts, notifierFor(process.env, process.platform), pluginPath);
    for (const failure of failures) ports.log.warn(failure);
    const now = ports.clock.now();
    const report = await telemetry;
    if (parsed.format === 'json') {
      const document = toJsonDocument(outcome.snapshots, now, outcome.alerts, report);
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      return 0;
    }
    const menu = presentMenu(outcome.snapshots, PROVIDERS, settings, {
      now,
      samples: outcome.samples,
      offline: outcome.offline,
    });
    if (report) menu.telemetry = presentTelemetry(report, { locale: settings.locale });
    process.stdout.write(
      parsed.format === 'waybar'
        ? renderWaybar(menu)
        : parsed.format === 'text'
          ? renderText(menu)
          : renderMenuBar(menu, parsed.format, { pluginPath }),
    );
    return 0;
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

process.exitCode = await main();
