// Keyring over a real Secret Service. run.mjs runs this file once per situation and names it in
// HEADROOM_KEYRING_SCENARIO: `unlocked` (gnome-keyring with an open login keyring), `locked` (a locked or missing
// login keyring) or `unavailable` (no Secret Service, or no session bus).
import GLib from 'gi://GLib';
import Soup from 'gi://Soup?version=3.0';
import { accountsOf } from '../../core/accounts.js';
import { providerInfo } from '../../core/catalog.js';
import { fetchClaudeWeb } from '../../core/providers/claude-web.js';
import { KEYRING_PROBLEMS, type KeyringProblem } from '../../core/secrets.js';
import { GjsPorts } from '../../gnome-extension/gjs-ports.js';
import { Keyring } from '../../gnome-extension/keyring.js';
import { equal, ok, repoPath, run, test } from './assert.js';

const SECRET = 'sk-ant-sid01-test-secret';
const scenario = GLib.getenv('HEADROOM_KEYRING_SCENARIO');

function problem(kind: KeyringProblem) {
  return { ok: false, problem: kind, ...KEYRING_PROBLEMS[kind] };
}

if (scenario === 'unlocked') {
  test('store, lookup, clear, lookup', async () => {
    const keyring = new Keyring();
    equal(await keyring.status(), { ok: true, value: true }, 'status');
    equal(await keyring.lookup('claude-session-key'), { ok: true, value: null }, 'before');
    equal(await keyring.store('claude-session-key', 'Headroom: claude.ai session key', SECRET), {
      ok: true,
      value: true,
    });
    equal(await keyring.lookup('claude-session-key'), { ok: true, value: SECRET }, 'after store');
    equal(await keyring.store('claude-session-key', 'Headroom: claude.ai session key', `${SECRET}-2`), {
      ok: true,
      value: true,
    });
    equal(await keyring.lookup('claude-session-key'), { ok: true, value: `${SECRET}-2` }, 'after replace');
    equal(await keyring.clear('claude-session-key'), { ok: true, value: true });
    equal(await keyring.lookup('claude-session-key'), { ok: true, value: null }, 'after clear');
    equal(await keyring.clear('claude-session-key'), { ok: true, value: true }, 'clearing nothing');
    keyring.destroy();
  });

  test("Claude's web source over Soup: the cookie from the keyring, two organisations, money, rotation stored back", async () => {
    const read = (name: string): string =>
      new TextDecoder().decode(GLib.file_get_contents(repoPath(`test/fixtures/claude/web/${name}`))[1]);
    const future = new Date(Date.now() + 3 * 3600_000).toISOString();
    const cookies: string[] = [];
    const server = new Soup.Server({});
    const replies: Record<string, [number, string, Record<string, string>?]> = {
      '/api/organizations': [200, read('claude-web-organizations.json')],
      '/api/organizations/org-chat/usage': [
        200,
        read('claude-web-usage-basic.json').replace(/20\d\d-\d\d-\d\dT[0-9:.]+Z/g, future),
        { 'Set-Cookie': 'sessionKey=sk-ant-sid01-rotated-gjs; Path=/; HttpOnly' },
      ],
      '/api/organizations/org-chat/overage_spend_limit': [200, read('claude-web-overage-spend-limit.json')],
      '/api/organizations/org-chat/prepaid/credits': [500, '{}'],
      '/api/organizations/org-chat/overage_credit_grant': [200, '{"amount":2500,"currency":"USD"}'],
      '/api/organizations/org-api/usage': [200, read('claude-web-usage-enterprise-null-session.json')],
      '/api/organizations/org-api/overage_spend_limit': [200, '{"is_enabled":false}'],
      '/api/organizations/org-api/prepaid/credits': [200, read('claude-web-prepaid-credits.json')],
      '/api/organizations/org-api/overage_credit_grant': [200, '{}'],
      '/api/account': [200, read('claude-web-account-memberships.json')],
    };
    server.add_handler(null, (_server, message) => {
      message.get_request_headers().foreach((name, value) => {
        if (name.toLowerCase() === 'cookie') cookies.push(value);
      });
      const [status, body, headers] = replies[message.get_uri().get_path()] ?? [404, '{}'];
      message.set_status(status, null);
      for (const [name, value] of Object.entries(headers ?? {})) message.get_response_headers().append(name, value);
      message.set_response('application/json', Soup.MemoryUse.COPY, new TextEncoder().encode(body));
    });
    server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
    GLib.setenv('HEADROOM_CLAUDE_WEB_URL', `http://127.0.0.1:${server.get_uris()[0]!.get_port()}`, true);
    const keyring = new Keyring();
    const ports = new GjsPorts('headroom@test');
    ports.secrets = keyring;
    await keyring.store('claude-session-key', 'Headroom: claude.ai session key', SECRET);
    const [chat, apiOrg] = accountsOf(providerInfo('claude')!, {
      directories: [],
      labels: {},
      organizations: ['org-chat', 'API Org'],
    });
    const first = await fetchClaudeWeb(ports, chat);
    ok(first.ok, JSON.stringify(first));
    equal(first.capture.accountLabel, 'Chat Org');
    equal(
      first.capture.windows.map((w) => [w.id, w.usedPercent]),
      [
        ['session', 9],
        ['weekly', 4],
        ['weekly-opus', 1],
      ],
    );
    equal(
      first.capture.money.map((m) => [m.id, m.usedMinor, m.limitMinor, m.balanceMinor, m.unknown ?? false]),
      [
        ['extra-usage', 6789, 12345, null, false],
        ['prepaid', null, null, null, true],
        ['credit-grant', null, null, 2500, false],
      ],
    );
    equal(await keyring.lookup('claude-session-key'), { ok: true, value: 'sk-ant-sid01-rotated-gjs' }, 'rotated');
    const second = await fetchClaudeWeb(ports, apiOrg);
    ok(second.ok, JSON.stringify(second));
    equal(second.capture.accountLabel, 'API Org');
    equal(
      second.capture.money.map((m) => [m.id, m.balanceMinor, m.currency]),
      [['prepaid', 10000, 'USD']],
    );
    ok(cookies.length >= 10, `only ${cookies.length} requests`);
    ok(
      cookies.slice(0, 5).every((c) => c === `sessionKey=${SECRET}`),
      cookies.join(),
    );
    ok(
      cookies.slice(-5).every((c) => c === 'sessionKey=sk-ant-sid01-rotated-gjs'),
      cookies.join(),
    );
    await keyring.clear('claude-session-key');
    equal(await fetchClaudeWeb(ports, chat), {
      ok: false,
      failure: {
        status: 'signed-out',
        message: 'No claude.ai session key is stored.',
        fix: 'Paste a new sessionKey: `headroom login claude-web` (it reads the key from stdin), or Headroom’s preferences on GNOME.',
        unused: true,
      },
    });
    server.disconnect();
    ports.destroy();
    keyring.destroy();
  });

  test('destroy() cancels a call in flight and answers later calls with an error', async () => {
    const keyring = new Keyring();
    const pending = keyring.lookup('claude-session-key');
    keyring.destroy();
    equal(await pending, problem('error'));
    equal(await keyring.store('claude-session-key', 'label', SECRET), problem('error'));
  });
} else if (scenario === 'locked' || scenario === 'unavailable') {
  test(`status, lookup, store and clear resolve with ${scenario} and its sentence`, async () => {
    const keyring = new Keyring();
    const results = [
      await keyring.status(),
      await keyring.lookup('claude-session-key'),
      await keyring.store('claude-session-key', 'label', SECRET),
      await keyring.clear('claude-session-key'),
    ];
    keyring.destroy();
    for (const result of results) equal(result, problem(scenario));
    equal(JSON.stringify(results).includes(SECRET), false, 'the secret appears in a result');
  });
} else {
  test('HEADROOM_KEYRING_SCENARIO names a scenario', () => equal(scenario, 'unlocked | locked | unavailable'));
}

await run();
