/**
 * `headroom statusline`: a Claude Code `statusLine` command. Claude Code runs it on every render with its JSON on
 * stdin (https://code.claude.com/docs/en/statusline); it records `rate_limits` for the configuration directory in
 * `statusline.json` (core/statusline.ts), runs the status-line command the user had before (kept at install) and
 * prints its output, then Headroom's `5h 37% · 7d 64% · resets 14:52`. No network, no locks, no credentials.
 *
 * `headroom statusline install [--config-dir DIR]` makes it the `statusLine` of `DIR/settings.json` (default
 * `$CLAUDE_CONFIG_DIR`, else `~/.claude`), after copying the file to `settings.json.headroom-backup`;
 * `headroom statusline uninstall [--config-dir DIR]` puts the file back byte for byte when it was not changed since,
 * else restores only the previous `statusLine`.
 */
import { copyFile, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as z from 'zod/mini';
import {
  claudeConfigDirectory,
  formatStatusLine,
  parseStatusLineInput,
  statusLineEntry,
  statusLineRecordPath,
  withStatusLineEntry,
} from '../core/statusline.js';
import type { Environment } from '../core/ports.js';
import { readRegularFile, writeFileAtomic, writePrivateFile } from './files.js';

/** How long the user's previous status-line command may run, ms. */
const CHAIN_TIMEOUT_MS = 3000;
/** How long to wait for Claude Code's stdin, ms; a terminal gives none. */
const STDIN_TIMEOUT_MS = 1000;
/** The install record next to statusline.json: the previous `statusLine` per configuration directory. */
const INSTALL_FILE = 'statusline-install.json';
const BACKUP_SUFFIX = '.headroom-backup';

const InstallEntrySchema = z.object({
  /** The `statusLine` value before install (any JSON), or null when there was none. */
  previous: z.unknown(),
  /** Whether settings.json existed before install. */
  existed: z.boolean(),
  /** SHA-256 (hex) of the settings.json text Headroom wrote, to know whether the user changed it since. */
  written: z.string(),
});
type InstallEntry = z.infer<typeof InstallEntrySchema>;
const InstallRecordSchema = z.object({ version: z.literal(1), dirs: z.record(z.string(), z.unknown()) });
const SettingsSchema = z.record(z.string(), z.unknown());
const StatusLineSettingSchema = z.looseObject({ type: z.optional(z.string()), command: z.optional(z.string()) });

function nodeEnv(): Environment {
  return {
    get: (name) => process.env[name] || undefined,
    home: process.env.HOME || homedir(),
    platform: process.platform,
    user: '',
  };
}

function installPath(env: Environment): string {
  return join(dirname(statusLineRecordPath(env)), INSTALL_FILE);
}

async function readInstallRecord(env: Environment): Promise<Record<string, unknown>> {
  const text = await readRegularFile(installPath(env)).catch(() => null);
  try {
    const parsed = InstallRecordSchema.safeParse(text === null ? null : JSON.parse(text));
    return parsed.success ? parsed.data.dirs : {};
  } catch {
    return {};
  }
}

async function installEntry(env: Environment, directory: string): Promise<InstallEntry | null> {
  const parsed = InstallEntrySchema.safeParse((await readInstallRecord(env))[directory]);
  return parsed.success ? parsed.data : null;
}

async function saveInstallEntry(env: Environment, directory: string, entry: InstallEntry | null): Promise<void> {
  const dirs = { ...(await readInstallRecord(env)) };
  if (entry) dirs[directory] = entry;
  else delete dirs[directory];
  await writePrivateFile(installPath(env), `${JSON.stringify({ version: 1, dirs })}\n`);
}

/** Reads stdin to its end; empty for a terminal or after {@link STDIN_TIMEOUT_MS}. */
function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((done) => {
    let text = '';
    const timer = setTimeout(() => {
      process.stdin.destroy();
      done(text);
    }, STDIN_TIMEOUT_MS);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (text += chunk));
    process.stdin.on('end', () => {
      clearTimeout(timer);
      done(text);
    });
    process.stdin.on('error', () => {
      clearTimeout(timer);
      done(text);
    });
  });
}

/** Runs the user's previous status-line command through `sh -c` with the same stdin; its stdout, or '' on failure. */
async function runPrevious(command: string, input: string): Promise<string> {
  // Loaded here: the plugin's other runs bundle this module and should not pay for node:child_process.
  const { spawn } = await import('node:child_process');
  return new Promise((done) => {
    let out = '';
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'ignore'], timeout: CHAIN_TIMEOUT_MS });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', () => done(''));
    child.on('close', () => done(out.replace(/\s+$/, '')));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** `--config-dir DIR` from argv (with `~` expanded), else undefined; rest are the other arguments. */
function configDirArg(argv: string[], env: Environment): { dir: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config-dir') dir = argv[++i];
    else if (arg.startsWith('--config-dir=')) dir = arg.slice('--config-dir='.length);
    else rest.push(arg);
  }
  if (dir !== undefined) dir = resolve(dir.replace(/^~(?=\/|$)/, env.home)).replace(/\/+$/, '') || '/';
  return { dir, rest };
}

/** The configuration directory a run is about: `--config-dir`, else `$CLAUDE_CONFIG_DIR`, else `~/.claude`. */
function directoryOf(dir: string | undefined, env: Environment): string {
  return dir ?? claudeConfigDirectory(env);
}

/** The status-line run: record, chain, print. Always exits 0 (a status line must never break Claude Code). */
async function render(directory: string, env: Environment): Promise<number> {
  const input = await readStdin();
  const now = Date.now();
  const previous = installEntry(env, directory).then((entry) => {
    const setting = StatusLineSettingSchema.safeParse(entry?.previous);
    return setting.success && setting.data.command ? runPrevious(setting.data.command, input) : '';
  });
  const recordPath = statusLineRecordPath(env);
  const limits = parseStatusLineInput(input);
  let line = '';
  try {
    const text = await readRegularFile(recordPath).catch(() => null);
    if (limits) {
      line = formatStatusLine(limits, now, now);
      await writePrivateFile(recordPath, withStatusLineEntry(text, directory, { capturedAt: now, rateLimits: limits }));
    } else {
      const entry = statusLineEntry(text, directory);
      if (entry) line = formatStatusLine(entry.rateLimits, entry.capturedAt, now);
    }
  } catch {
    // The record could not be written: the line is still shown; the next render tries again.
  }
  const before = await previous;
  process.stdout.write(`${[before, line].filter(Boolean).join(before.includes('\n') ? '\n' : ' · ')}\n`);
  return 0;
}

/** Single-quotes a word for sh. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

async function sha256(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(text).digest('hex');
}

/** A settings.json text as an object; null (said on stderr) when it is not a JSON object, which is left alone. */
function parseSettings(text: string, path: string): Record<string, unknown> | null {
  let parsed;
  try {
    parsed = SettingsSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = null;
  }
  if (parsed?.success) return parsed.data;
  process.stderr.write(`headroom: ${path} is not a JSON object; left as it is.\n`);
  return null;
}

async function install(directory: string, env: Environment): Promise<number> {
  const path = join(directory, 'settings.json');
  const text = await readRegularFile(path);
  const settings = text === null ? {} : parseSettings(text, path);
  if (!settings) return 1;
  const command = `${shellQuote(resolve(process.argv[1] ?? 'headroom'))} statusline --config-dir ${shellQuote(directory)}`;
  const current = StatusLineSettingSchema.safeParse(settings.statusLine);
  if (current.success && current.data.command === command && (await installEntry(env, directory))) {
    process.stdout.write(`Headroom's status line is already installed in ${path}.\n`);
    return 0;
  }
  if (text !== null) await copyFile(path, `${path}${BACKUP_SUFFIX}`);
  const mode = text !== null ? (await stat(path)).mode & 0o777 : 0o600;
  const written = `${JSON.stringify({ ...settings, statusLine: { type: 'command', command } }, null, 2)}\n`;
  await writeFileAtomic(path, written, mode);
  await saveInstallEntry(env, directory, {
    previous: settings.statusLine ?? null,
    existed: text !== null,
    written: await sha256(written),
  });
  const kept = current.success && current.data.command ? ' Your previous status line still shows first.' : '';
  process.stdout.write(
    `Installed Headroom's status line in ${path} (backup: ${path}${BACKUP_SUFFIX}).${kept}\n` +
      'Claude Code hands it your limits from its next reply on.\n',
  );
  return 0;
}

async function uninstall(directory: string, env: Environment): Promise<number> {
  const path = join(directory, 'settings.json');
  const entry = await installEntry(env, directory);
  if (!entry) {
    process.stdout.write(`Headroom's status line is not installed in ${path}.\n`);
    return 0;
  }
  const text = await readRegularFile(path);
  const backup = `${path}${BACKUP_SUFFIX}`;
  if (text !== null && (await sha256(text)) === entry.written) {
    // Unchanged since install: put the user's file back byte for byte.
    if (entry.existed) {
      const mode = (await stat(path)).mode & 0o777;
      const original = await readRegularFile(backup);
      if (original === null) {
        process.stderr.write(`headroom: the backup ${backup} is gone; ${path} left as it is.\n`);
        return 1;
      }
      await writeFileAtomic(path, original, mode);
    } else {
      await unlink(path);
    }
  } else if (text !== null) {
    // Changed since: restore only the previous statusLine.
    const settings = parseSettings(text, path);
    if (!settings) return 1;
    const { statusLine: _ours, ...rest } = settings;
    const restored = entry.previous === null ? rest : { ...rest, statusLine: entry.previous };
    await writeFileAtomic(path, `${JSON.stringify(restored, null, 2)}\n`, (await stat(path)).mode & 0o777);
  }
  await unlink(backup).catch(() => undefined);
  await saveInstallEntry(env, directory, null);
  process.stdout.write(`Removed Headroom's status line from ${path}; your previous settings are back.\n`);
  return 0;
}

/** `headroom statusline [install|uninstall] [--config-dir DIR]`; argv after `statusline`. Returns the exit code. */
export async function statusLineCommand(argv: string[]): Promise<number> {
  const env = nodeEnv();
  const { dir, rest } = configDirArg(argv, env);
  const directory = directoryOf(dir, env);
  const [action, ...extra] = rest;
  if (extra.length > 0 || (action !== undefined && action !== 'install' && action !== 'uninstall')) {
    process.stderr.write('Usage: headroom statusline [install|uninstall] [--config-dir DIR]\n');
    return 2;
  }
  try {
    if (action === 'install') return await install(directory, env);
    if (action === 'uninstall') return await uninstall(directory, env);
  } catch (error) {
    process.stderr.write(`headroom: ${(error as Error).message}\n`);
    return 1;
  }
  return render(directory, env);
}
