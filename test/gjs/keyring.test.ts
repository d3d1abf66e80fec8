// Keyring over a real Secret Service. run.mjs runs this file once per situation and names it in
// HEADROOM_KEYRING_SCENARIO: `unlocked` (gnome-keyring with an open login keyring), `locked` (a locked or missing
// login keyring) or `unavailable` (no Secret Service, or no session bus).
import GLib from 'gi://GLib';
import { KEYRING_PROBLEMS, type KeyringProblem } from '../../core/secrets.js';
import { Keyring } from '../../gnome-extension/keyring.js';
import { equal, run, test } from './assert.js';

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
