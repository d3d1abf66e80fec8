// The preferences' "Sign in with Claude" (gnome-extension/sign-in.ts) under the real gjs: PKCE from /dev/urandom and
// GLib's SHA-256, the loopback callback (wrong state refused, right one exchanged), tokens to the keyring, the
// listener gone afterwards; against a loopback Soup.Server standing in for Claude's token and profile endpoints.
import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';
import { codeChallenge, parseStoredLogin } from '../../core/oauth.js';
import type { SecretStore } from '../../core/secrets.js';
import { GjsPorts } from '../../gnome-extension/gjs-ports.js';
import { ClaudeSignIn, gjsCrypto } from '../../gnome-extension/sign-in.js';
import { stateLocks } from '../../gnome-extension/state-lock.js';
import { equal, ok, run, tempDir, test } from './assert.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const exchanges: Record<string, string>[] = [];

function respond(message: Soup.ServerMessage, status: number, body: unknown): void {
  message.set_status(status, null);
  message.set_response('application/json', Soup.MemoryUse.COPY, encoder.encode(JSON.stringify(body)));
}

const claude = new Soup.Server({});
claude.add_handler('/token', (_server, message) => {
  const body = JSON.parse(decoder.decode(message.get_request_body().flatten().toArray())) as Record<string, string>;
  exchanges.push(body);
  respond(message, 200, {
    access_token: 'sk-ant-oat01-GJSFIXTURE-access',
    refresh_token: 'sk-ant-ort01-GJSFIXTURE-refresh',
    expires_in: 3600,
  });
});
claude.add_handler('/api/oauth/profile', (_server, message) =>
  respond(message, 200, { account: { email: 'gnome-user@example.com' }, organization: { name: 'Org' } }),
);
claude.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
const base = `http://127.0.0.1:${claude.get_uris()[0]!.get_port()}`;
GLib.setenv('HEADROOM_CLAUDE_TOKEN_URL', `${base}/token`, true);
GLib.setenv('HEADROOM_ANTHROPIC_API_URL', base, true);
GLib.setenv('HEADROOM_CLAUDE_AUTHORIZE_URL', `${base}/authorize`, true);

const items = new Map<string, string>();
const keyring: SecretStore = {
  lookup: async (key) => ({ ok: true, value: items.get(key) ?? null }),
  store: async (key, _label, value) => (items.set(key, value), { ok: true, value: true }),
  clear: async (key) => (items.delete(key), { ok: true, value: true }),
};

/** A GET from "the browser": the status, or 0 when nothing listens. */
async function get(url: string): Promise<number> {
  const session = new Soup.Session({ timeout: 5 });
  const message = Soup.Message.new('GET', url)!;
  try {
    await session.send_and_read_async(message, GLib.PRIORITY_DEFAULT, null);
    return message.status_code;
  } catch {
    return 0;
  }
}

function param(url: string, name: string): string {
  return decodeURIComponent(new RegExp(`[?&]${name}=([^&]*)`).exec(url)?.[1] ?? '');
}

test('PKCE: GLib computes the S256 challenge of RFC 7636 appendix B; /dev/urandom gives fresh bytes', async () => {
  equal(
    await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', gjsCrypto),
    'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  );
  const [a, b] = [gjsCrypto.randomBytes(32), gjsCrypto.randomBytes(32)];
  equal(a.length, 32);
  ok(a.join() !== b.join(), 'two draws were equal');
});

test('signs in through the loopback callback, refusing a foreign state, and stores the tokens', async () => {
  const ports = new GjsPorts('headroom@test');
  ports.secrets = keyring;
  ports.locks = stateLocks(tempDir());
  const signIn = new ClaudeSignIn(ports);
  const url = await signIn.start(30_000);
  ok(url?.startsWith(`${base}/authorize?code=true&client_id=`), String(url));
  const redirect = param(url, 'redirect_uri');
  ok(/^http:\/\/localhost:\d+\/callback$/.test(redirect), redirect);
  const callback = redirect.replace('localhost', '127.0.0.1');
  equal(await get(`${callback}?code=c1&state=someone-else`), 400);
  equal(await get(`${callback}?code=c1&state=${encodeURIComponent(param(url, 'state'))}`), 200);
  const result = await signIn.finished;
  equal(result, { ok: true, email: 'gnome-user@example.com', organization: 'Org', profileProblem: null });
  equal(exchanges.length, 1);
  const exchange = exchanges[0]!;
  equal(await codeChallenge(exchange.code_verifier!, gjsCrypto), param(url, 'code_challenge'));
  equal([exchange.grant_type, exchange.code, exchange.redirect_uri], ['authorization_code', 'c1', redirect]);
  const stored = parseStoredLogin(items.get('claude-oauth') ?? '');
  equal(
    [stored?.accessToken, stored?.refreshToken, stored?.email],
    ['sk-ant-oat01-GJSFIXTURE-access', 'sk-ant-ort01-GJSFIXTURE-refresh', 'gnome-user@example.com'],
  );
  await new Promise((resolve) => GLib.timeout_add(GLib.PRIORITY_DEFAULT, 700, () => (resolve(null), false)));
  equal(await get(`${callback}?code=c2&state=x`), 0, 'the listener is closed after the sign-in');
  ports.destroy();
});

test('gives up after its timeout and stops listening', async () => {
  const signIn = new ClaudeSignIn(new GjsPorts('headroom@test'));
  const url = await signIn.start(200);
  const result = await signIn.finished;
  equal(result, { ok: false, message: 'No sign-in arrived within 1 s.' });
  await new Promise((resolve) => GLib.timeout_add(GLib.PRIORITY_DEFAULT, 700, () => (resolve(null), false)));
  equal(await get(param(url ?? '', 'redirect_uri').replace('localhost', '127.0.0.1')), 0);
});

await run();
