/**
 * `headroom login claude [--manual] [--timeout SECONDS]` and `headroom logout claude`: Headroom's own Claude sign-in
 * (core/oauth.ts), kept in the keyring item `claude-oauth` only.
 *
 * Login, by default: a listener on a free loopback port (127.0.0.1) serves `http://localhost:<port>/callback`; the
 * authorize URL is opened with `$BROWSER` when set (the first of a `:`-separated list), else `xdg-open` / `open`,
 * and printed. The answer's `state` must match; the code is exchanged (PKCE), the tokens are stored, and the account
 * is printed from `/api/oauth/profile`. The listener is closed afterwards, whatever happened. `--manual` (SSH
 * sessions): the redirect goes to Claude's code page, and the pasted `<code>#<state>` is read from stdin.
 *
 * Logout forgets the tokens. Anthropic documents no token revocation endpoint for this client, so nothing is revoked
 * remotely; the refresh token dies with its next rotation or expiry.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import {
  type OAuthEndpoints,
  type PkceCrypto,
  type PkceSession,
  authorizeUrl,
  checkCallback,
  checkPastedCode,
  completeSignIn,
  createPkceSession,
  forgetSignIn,
  oauthEndpoints,
} from '../core/oauth.js';
import type { Ports } from '../core/ports.js';

/** How long a sign-in waits for the browser or the pasted code by default, seconds. */
const DEFAULT_TIMEOUT_S = 300;

const USAGE = `Usage: headroom login claude [--manual] [--timeout SECONDS]
       headroom logout claude

  login claude   sign in to Claude with Headroom's own login (opens the browser; the tokens go to the keyring)
  --manual       no browser on this machine (e.g. over SSH): open the printed URL anywhere, then paste the code
  --timeout S    give up after S seconds (default ${DEFAULT_TIMEOUT_S})
  logout claude  forget Headroom's own Claude sign-in (Claude Code's login is never touched)
`;

/** node:crypto for PKCE. */
const nodeCrypto: PkceCrypto = {
  randomBytes: (length) => new Uint8Array(randomBytes(length)),
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
};

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function complain(text: string): void {
  process.stderr.write(`headroom: ${text}\n`);
}

/**
 * Runs `login claude …` or `logout claude` (argv as given after the program: `['login', 'claude', …]`); returns the
 * exit code: 0 done, 1 failed (the reason on stderr), 2 usage error.
 */
export async function oauthCommand(argv: string[], makePorts: (verbose: boolean) => Ports): Promise<number> {
  const [verb, , ...rest] = argv;
  let manual = false;
  let timeoutS = DEFAULT_TIMEOUT_S;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--manual' && verb === 'login') manual = true;
    else if (arg === '--timeout' && verb === 'login' && Number(rest[i + 1]) > 0) timeoutS = Number(rest[++i]);
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      return 0;
    } else {
      process.stderr.write(`headroom: unknown argument ${JSON.stringify(arg)}\n\n${USAGE}`);
      return 2;
    }
  }
  const ports = makePorts(false);
  return verb === 'logout' ? logout(ports) : login(ports, manual, timeoutS * 1000);
}

/** True when the keyring answers; else prints why not. */
async function usableKeyring(ports: Ports): Promise<boolean> {
  if (!ports.secrets) {
    complain('this Headroom has no keyring.');
    return false;
  }
  const found = await ports.secrets.lookup('claude-oauth');
  if (!found.ok) complain(`${found.message} ${found.fix}`);
  return found.ok;
}

async function login(ports: Ports, manual: boolean, timeoutMs: number): Promise<number> {
  if (!(await usableKeyring(ports))) return 1;
  const endpoints = oauthEndpoints(ports.env);
  const session = await createPkceSession(nodeCrypto);
  const answer = manual
    ? await manualCode(endpoints, session, timeoutMs)
    : await loopbackCode(ports, endpoints, session, timeoutMs);
  if (!answer.ok) {
    complain(answer.message);
    return 1;
  }
  // Exchange, then the tokens go to the keyring before anything else uses them (core/oauth.ts).
  const result = await completeSignIn(ports, endpoints, answer.code, session, answer.redirectUri);
  await answer.done?.(result.ok);
  if (!result.ok) {
    complain(result.message);
    return 1;
  }
  const org = result.organization ? ` (${result.organization})` : '';
  say(`Signed in to Claude${result.email ? ` as ${result.email}${org}` : ''}.`);
  say(
    "Headroom reads Claude's limits with this sign-in first (source oauth) and renews it itself; Claude Code's login is untouched.",
  );
  if (result.profileProblem) complain(`could not read the account's profile: ${result.profileProblem}`);
  return 0;
}

async function logout(ports: Ports): Promise<number> {
  if (!(await usableKeyring(ports))) return 1;
  const forgotten = await forgetSignIn(ports);
  if (!forgotten.ok) {
    complain(forgotten.message);
    return 1;
  }
  say(
    forgotten.had
      ? `Signed out of Headroom's own Claude sign-in${forgotten.email ? ` (${forgotten.email})` : ''}; its tokens are gone from the keyring.`
      : 'Headroom had no Claude sign-in of its own.',
  );
  say("Claude Code's login is untouched.");
  return 0;
}

/** A code from the browser or the user, with the redirect URI it was issued for. */
type CodeAnswer =
  | { ok: true; code: string; redirectUri: string; done?: (signedIn: boolean) => Promise<void> }
  | { ok: false; message: string; done?: () => Promise<void> };

/** Opens `url` in the user's browser: `$BROWSER` (first of a `:`-list, split on spaces), else xdg-open / open. */
function openBrowser(url: string, ports: Ports): void {
  const configured = ports.env.get('BROWSER')?.split(':')[0]?.trim();
  const argv = configured ? configured.split(/\s+/) : [ports.env.platform === 'darwin' ? 'open' : 'xdg-open'];
  try {
    const child = spawn(argv[0]!, [...argv.slice(1), url], { stdio: 'ignore', detached: true });
    child.on('error', () => complain(`could not start ${argv[0]}; open the address above yourself.`));
    child.unref();
  } catch {
    complain(`could not start ${argv[0]}; open the address above yourself.`);
  }
}

const PAGE_STYLE = 'font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;line-height:1.5';

/** Sends a small HTML page; resolves once it is handed to the socket (or the socket closed), at most after 2 s. */
function page(response: ServerResponse, status: number, title: string, text: string): Promise<void> {
  const sent = new Promise<void>((resolve) => {
    response.once('finish', () => resolve());
    response.once('close', () => resolve());
    setTimeout(resolve, 2000).unref();
  });
  const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(
    `<!doctype html><meta charset="utf-8"><title>Headroom</title><body style="${PAGE_STYLE}"><h1>${escape(title)}</h1><p>${escape(text)}</p>`,
  );
  return sent;
}

/**
 * Serves `/callback` on a free loopback port until a code with this session's state arrives, the authorize page
 * reports an error, or `timeoutMs` passes. Answers with the wrong state are refused and waited past. The listener
 * closes once the browser has been told the outcome (`done`), or at once on failure.
 */
async function loopbackCode(
  ports: Ports,
  endpoints: OAuthEndpoints,
  session: PkceSession,
  timeoutMs: number,
): Promise<CodeAnswer> {
  let settle: (answer: CodeAnswer) => void = () => undefined;
  const answered = new Promise<CodeAnswer>((resolve) => (settle = resolve));
  let pending: ServerResponse | null = null;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/callback' || pending) {
      page(response, 404, 'Not found', 'This address only takes the answer of a Claude sign-in.');
      return;
    }
    const params = Object.fromEntries(url.searchParams);
    const checked = checkCallback(params, session.state);
    if (!checked.ok && !params.error) {
      // Not this sign-in's answer (a stale tab, another program): refuse it and keep waiting.
      page(response, 400, 'Sign-in not accepted', checked.message);
      return;
    }
    if (!checked.ok) {
      settle({ ...checked, done: () => page(response, 400, 'Sign-in failed', checked.message) });
      return;
    }
    pending = response;
    settle({
      ok: true,
      code: checked.code,
      redirectUri,
      done: (signedIn) =>
        page(
          response,
          signedIn ? 200 : 400,
          signedIn ? 'Signed in to Claude' : 'Sign-in failed',
          signedIn
            ? 'Headroom can now read your Claude limits. You can close this tab.'
            : 'Headroom could not complete the sign-in; see the terminal.',
        ),
    });
  });
  server.keepAliveTimeout = 1000;
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, '127.0.0.1', () => resolve(true));
  });
  if (!listening) return { ok: false, message: 'could not listen on a loopback port for the sign-in; try --manual.' };
  const port = (server.address() as AddressInfo).port;
  const redirectUri = `http://localhost:${port}/callback`;
  const url = authorizeUrl(endpoints, session, redirectUri);
  say('Sign in to Claude in your browser. If it does not open, visit:');
  say(`  ${url}`);
  openBrowser(url, ports);
  const timer = setTimeout(
    () =>
      settle({
        ok: false,
        message: `no sign-in arrived within ${Math.round(timeoutMs / 1000)} s; run \`headroom login claude\` again (or with --manual over SSH).`,
      }),
    timeoutMs,
  );
  const answer = await answered;
  clearTimeout(timer);
  const close = (): void => {
    server.close();
    server.closeAllConnections();
  };
  if (!answer.ok) {
    await answer.done?.();
    close();
    return answer;
  }
  const reply = answer.done!;
  return {
    ...answer,
    done: async (signedIn) => {
      await reply(signedIn);
      close();
    },
  };
}

/** Prints the authorize URL for the manual page and reads `<code>#<state>` from stdin. */
async function manualCode(endpoints: OAuthEndpoints, session: PkceSession, timeoutMs: number): Promise<CodeAnswer> {
  const redirectUri = endpoints.manualRedirectUrl;
  say('Open this address in any browser and sign in to Claude:');
  say(`  ${authorizeUrl(endpoints, session, redirectUri)}`);
  say('Then paste the code Claude shows (it looks like <code>#<state>) and press Enter:');
  const lines = createInterface({ input: process.stdin, terminal: false });
  let timer: NodeJS.Timeout | undefined;
  const line = await Promise.race([
    new Promise<string | null>((resolve) => {
      lines.once('line', resolve);
      lines.once('close', () => resolve(null));
    }),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  lines.close();
  if (line === 'timeout') {
    return {
      ok: false,
      message: `no code was pasted within ${Math.round(timeoutMs / 1000)} s; run \`headroom login claude --manual\` again.`,
    };
  }
  if (line === null || line.trim() === '') return { ok: false, message: 'no code was pasted.' };
  const checked = checkPastedCode(line, session.state);
  return checked.ok ? { ok: true, code: checked.code, redirectUri } : checked;
}
