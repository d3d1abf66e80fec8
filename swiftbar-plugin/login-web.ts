/**
 * `headroom login claude-web [--org <uuid|name>]...` and `headroom logout claude-web`: connecting Claude's `web`
 * source (core/providers/claude-web.ts).
 *
 * login reads the claude.ai `sessionKey` cookie from stdin (a hidden prompt on a terminal), checks it by listing the
 * organisations (`GET /api/organizations`), stores it in the OS keyring (swiftbar-plugin/keyring.ts; never a file,
 * argv or the environment), records the chosen organisations in config.json (`providers.claude.organizations`,
 * uuids; absent = the default organisation) and prints the organisations found and the ones chosen. logout forgets
 * the key. Neither ever prints the key: error texts are redacted.
 */
import { configFilePath } from '../core/settings.js';
import type { Ports } from '../core/ports.js';
import { parseJsonText } from '../core/parse.js';
import {
  type ClaudeOrganization,
  SESSION_KEY_LABEL,
  SESSION_KEY_SECRET,
  cleanSessionKey,
  defaultOrganization,
  findOrganization,
  listClaudeOrganizations,
  redactSessionSecrets,
} from '../core/providers/claude-web.js';
import { readRegularFile, writeFileAtomic } from './files.js';

const USAGE = `Usage: headroom login claude-web [--org <uuid|name>]...   (the sessionKey cookie on stdin)
       headroom logout claude-web
`;

/** Writes to stderr, redacted. */
function fail(text: string): void {
  process.stderr.write(redactSessionSecrets(text));
}

/** Reads all of stdin; on a terminal, a hidden prompt ending at the first Enter. */
function readKey(): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    return new Promise((resolve, reject) => {
      let text = '';
      input.setEncoding('utf8');
      input.on('data', (chunk: string) => (text += chunk));
      input.on('end', () => resolve(text));
      input.on('error', reject);
    });
  }
  process.stderr.write('Paste the claude.ai sessionKey cookie (input hidden), then Enter: ');
  return new Promise((resolve) => {
    let text = '';
    input.setRawMode(true);
    input.setEncoding('utf8');
    const done = (): void => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      resolve(text);
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return done();
        if (char === '\u0003') {
          text = '';
          return done();
        }
        if (char === '\u007f' || char === '\b') text = text.slice(0, -1);
        else text += char;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

/** Sets `providers.claude.organizations` in config.json (removed for an empty list), keeping everything else. */
async function saveOrganizations(ports: Ports, uuids: string[]): Promise<string | null> {
  const path = configFilePath(ports);
  let config: Record<string, unknown> = {};
  let text: string | null;
  try {
    text = await readRegularFile(path);
  } catch {
    return `Can't read ${path}.`;
  }
  if (text !== null) {
    let parsed: unknown;
    try {
      parsed = parseJsonText(text);
    } catch {
      return `${path} is not valid JSON; fix it and run this again.`;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return `${path} is not a JSON object.`;
    config = parsed as Record<string, unknown>;
  }
  if (text === null && uuids.length === 0) return null;
  const providers = (
    config.providers && typeof config.providers === 'object' && !Array.isArray(config.providers) ? config.providers : {}
  ) as Record<string, unknown>;
  const claude = (
    providers.claude && typeof providers.claude === 'object' && !Array.isArray(providers.claude) ? providers.claude : {}
  ) as Record<string, unknown>;
  if (uuids.length > 0) claude.organizations = uuids;
  else delete claude.organizations;
  providers.claude = claude;
  config.providers = providers;
  try {
    await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`, 0o644);
  } catch {
    return `Can't write ${path}.`;
  }
  return null;
}

/** "Chat Org (org-chat) — chat" */
function describe(org: ClaudeOrganization): string {
  return `${org.name} (${org.uuid})${org.capabilities.length ? ` — ${org.capabilities.join(', ')}` : ''}`;
}

/**
 * Runs `login`/`logout` for `claude-web` with the arguments after the target; returns the exit code (0 done,
 * 1 failed, 2 usage).
 */
export async function loginWebCommand(verb: 'login' | 'logout', args: string[], ports: Ports): Promise<number> {
  const secrets = ports.secrets;
  if (!secrets) {
    fail('headroom: this platform has no keyring for the claude.ai session key.\n');
    return 1;
  }
  const wanted: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (verb === 'login' && (arg === '--org' || arg.startsWith('--org='))) {
      const value = arg === '--org' ? args[++i] : arg.slice('--org='.length);
      if (!value?.trim()) {
        fail(`headroom: --org takes an organisation's uuid or name\n${USAGE}`);
        return 2;
      }
      wanted.push(value.trim());
    } else {
      fail(`headroom: unknown argument ${JSON.stringify(redactSessionSecrets(arg))}\n${USAGE}`);
      return 2;
    }
  }

  if (verb === 'logout') {
    const cleared = await secrets.clear(SESSION_KEY_SECRET);
    if (!cleared.ok) {
      fail(`headroom: ${cleared.message}\n${cleared.fix}\n`);
      return 1;
    }
    process.stdout.write(
      'Forgot the claude.ai session key. To end the session itself, log out of claude.ai in the browser you copied it from.\n',
    );
    return 0;
  }

  const key = cleanSessionKey(await readKey());
  if (!key) {
    fail(
      'headroom: no session key on stdin. Copy the sessionKey cookie of claude.ai (see README.md) and pipe it in:\n' +
        '  printf %s "$KEY" | headroom login claude-web\n',
    );
    return 2;
  }
  if (/[\s;,]/.test(key)) {
    fail('headroom: that does not look like a sessionKey cookie value (it contains spaces or separators).\n');
    return 2;
  }
  const listed = await listClaudeOrganizations(ports, key);
  if (!listed.ok) {
    fail(`headroom: ${listed.failure.message}\n${listed.failure.fix}\nThe key was not stored.\n`);
    return 1;
  }
  const orgs = listed.organizations;
  const chosen: ClaudeOrganization[] = [];
  for (const choice of wanted) {
    const org = findOrganization(orgs, choice);
    if (!org) {
      fail(
        `headroom: no organisation ${JSON.stringify(redactSessionSecrets(choice))} in this session. Found:\n` +
          orgs.map((o) => `  ${describe(o)}\n`).join(''),
      );
      return 2;
    }
    if (!chosen.includes(org)) chosen.push(org);
  }
  const stored = await secrets.store(SESSION_KEY_SECRET, SESSION_KEY_LABEL, listed.rotatedKey ?? key);
  if (!stored.ok) {
    fail(`headroom: ${stored.message}\n${stored.fix}\nThe key was not stored (Headroom never keeps it in a file).\n`);
    return 1;
  }
  const saveProblem = await saveOrganizations(
    ports,
    chosen.map((org) => org.uuid),
  );
  const shown = chosen.length > 0 ? chosen : [defaultOrganization(orgs)!];
  process.stdout.write(
    `Stored the claude.ai session key in the ${ports.env.platform === 'darwin' ? 'login Keychain' : 'keyring (Secret Service)'}.\n` +
      `Organisations found:\n${orgs.map((org) => `  ${describe(org)}\n`).join('')}` +
      `Shown: ${shown.map((org) => org.name).join(', ')}${chosen.length === 0 ? ' (the default; pick others with --org)' : ''}\n`,
  );
  if (saveProblem) {
    fail(`headroom: the organisation choice was not saved: ${saveProblem}\n`);
    return 1;
  }
  return 0;
}
