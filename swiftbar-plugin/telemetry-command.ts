/**
 * `headroom telemetry`: the Claude Code metrics a Prometheus server holds (core/telemetry/), on their own:
 *
 *   headroom telemetry [--range 1h|24h|7d|30d] [--json] [--verbose]
 *   headroom telemetry --check            which Claude Code metrics the server has
 *   headroom telemetry --store-secret     the Prometheus password or token, read from stdin, into the keyring
 *   headroom telemetry --clear-secret     removes it
 *
 * Also {@link loadCliTelemetry}, which the default command uses for its Telemetry section and JSON v1's `telemetry`.
 */
import type { Ports } from '../core/ports.js';
import { loadSettings, type Settings } from '../core/settings.js';
import { PROMETHEUS_SECRET_KEY, PROMETHEUS_SECRET_LABEL, secretFromFile } from '../core/telemetry/connect.js';
import {
  type TelemetryReport,
  checkConnection,
  loadTelemetry,
  presentTelemetry,
  toJsonTelemetry,
} from '../core/telemetry/index.js';
import { TELEMETRY_RANGES, type TelemetryRange, isTelemetryRange } from '../core/telemetry/settings.js';
import { cliSecretStore, missingSecretFix } from './keyring.js';
import { renderTelemetryText } from './render.js';

/** The usage text of `headroom telemetry`. */
export const TELEMETRY_HELP = `Usage: headroom telemetry [--range ${TELEMETRY_RANGES.join('|')}] [--json] [--verbose]
       headroom telemetry --check | --store-secret | --clear-secret

Claude Code's OpenTelemetry metrics from Prometheus: tokens (by type, model and user), cost, active time, sessions,
lines of code, commits and pull requests over a range (default 24h, or the settings' one).

  --range R       1h, 24h, 7d or 30d
  --json          the telemetry object of the JSON v1 document
  --check         test the connection and list the Claude Code metrics the server has (exit 1 when none)
  --store-secret  read the Prometheus password or token from stdin and keep it in the keyring
  --clear-secret  remove it from the keyring
  --verbose       diagnostics on stderr

Settings: HEADROOM_PROMETHEUS_URL (the Prometheus base URL; telemetry is off without it), HEADROOM_TELEMETRY_RANGE,
HEADROOM_TELEMETRY_USER (an e-mail or account UUID), HEADROOM_PROMETHEUS_USERNAME (basic auth),
HEADROOM_PROMETHEUS_PASSWORD_FILE, HEADROOM_PROMETHEUS_BEARER_FILE, HEADROOM_PROMETHEUS_TIMEOUT, or config.json's
"telemetry" object (see README.md).
`;

/** What `headroom telemetry` was asked to do. */
type TelemetryArgs =
  | { action: 'show'; range: TelemetryRange | undefined; json: boolean; verbose: boolean }
  | { action: 'check' | 'store-secret' | 'clear-secret'; verbose: boolean }
  | { exit: number; text: string };

/** Parses the arguments after `telemetry`. */
export function parseTelemetryArgs(argv: string[]): TelemetryArgs {
  let range: TelemetryRange | undefined;
  let json = false;
  let verbose = false;
  let action: 'show' | 'check' | 'store-secret' | 'clear-secret' = 'show';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--verbose') verbose = true;
    else if (arg === '--check') action = 'check';
    else if (arg === '--store-secret') action = 'store-secret';
    else if (arg === '--clear-secret') action = 'clear-secret';
    else if (arg === '--help' || arg === '-h') return { exit: 0, text: TELEMETRY_HELP };
    else if (arg === '--range' || arg.startsWith('--range=')) {
      const value = arg === '--range' ? argv[++i] : arg.slice('--range='.length);
      if (!isTelemetryRange(value)) {
        return { exit: 2, text: `headroom telemetry: --range takes one of ${TELEMETRY_RANGES.join(', ')}\n` };
      }
      range = value;
    } else return { exit: 2, text: `headroom telemetry: unknown argument ${JSON.stringify(arg)}\n\n${TELEMETRY_HELP}` };
  }
  return action === 'show' ? { action, range, json, verbose } : { action, verbose };
}

/** The telemetry report for the CLI's settings (null while no Prometheus is configured); never rejects. */
export function loadCliTelemetry(
  ports: Ports,
  settings: Settings,
  range?: TelemetryRange,
): Promise<TelemetryReport | null> {
  return loadTelemetry(ports, settings.telemetry, cliSecretStore(ports.env.platform), {
    now: ports.clock.now(),
    missingSecretFix: missingSecretFix(ports),
    ...(range ? { range } : {}),
  });
}

/** Reads stdin to its end; on a terminal, one line typed without echo. */
async function readSecret(): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of input) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  process.stderr.write('Prometheus password or token (not shown): ');
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004' || char === '\u0003') {
          input.off('data', onData);
          input.setRawMode(false);
          input.pause();
          process.stderr.write('\n');
          resolve(char === '\u0003' ? '' : text);
          return;
        }
        text = char === '\u007f' || char === '\b' ? text.slice(0, -1) : text + char;
      }
    };
    input.on('data', onData);
  });
}

/** Runs `headroom telemetry …` with the arguments after `telemetry`; resolves with the exit code. */
export async function runTelemetryCommand(argv: string[], makePorts: (verbose: boolean) => Ports): Promise<number> {
  const parsed = parseTelemetryArgs(argv);
  if ('exit' in parsed) {
    (parsed.exit === 0 ? process.stdout : process.stderr).write(parsed.text);
    return parsed.exit;
  }
  const ports = makePorts(parsed.verbose);
  if (parsed.action === 'check') {
    const { settings, problems } = await loadSettings(ports);
    for (const problem of problems) ports.log.warn(problem);
    const result = await checkConnection(
      ports,
      settings.telemetry,
      cliSecretStore(ports.env.platform),
      missingSecretFix(ports),
    );
    process.stdout.write(`${result.text}\n`);
    return result.ok ? 0 : 1;
  }
  if (parsed.action !== 'show') {
    const keyring = cliSecretStore(ports.env.platform);
    let result;
    if (parsed.action === 'store-secret') {
      const secret = secretFromFile(await readSecret());
      if (!secret) {
        process.stderr.write('headroom telemetry: no secret on stdin; nothing stored\n');
        return 1;
      }
      result = await keyring.store(PROMETHEUS_SECRET_KEY, PROMETHEUS_SECRET_LABEL, secret);
    } else {
      result = await keyring.clear(PROMETHEUS_SECRET_KEY);
    }
    if (!result.ok) {
      process.stderr.write(`headroom telemetry: ${result.message} ${result.fix}\n`);
      return 1;
    }
    process.stdout.write(parsed.action === 'store-secret' ? 'Stored in the keyring.\n' : 'Removed from the keyring.\n');
    return 0;
  }
  const { settings, problems } = await loadSettings(ports);
  for (const problem of problems) ports.log.warn(problem);
  const report = await loadCliTelemetry(ports, settings, parsed.range);
  if (parsed.json) {
    process.stdout.write(`${JSON.stringify(toJsonTelemetry(report), null, 2)}\n`);
    return 0;
  }
  if (!report) {
    process.stdout.write(
      'Telemetry is off: set HEADROOM_PROMETHEUS_URL (or "telemetry": {"url": …} in config.json) to the Prometheus that scrapes Claude Code’s metrics.\n',
    );
    return 0;
  }
  process.stdout.write(renderTelemetryText(presentTelemetry(report, { locale: settings.locale })));
  return 0;
}
