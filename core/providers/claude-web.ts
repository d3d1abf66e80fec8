/**
 * Claude's `web` source: the claude.ai web API with the user's `sessionKey` cookie, kept in the OS keyring
 * (core/secrets.ts, key `claude-session-key`). Its accounts are claude.ai organisations.
 *
 * Calls (shapes as recorded by steipete/CodexBar `ClaudeWebAPIFetcher.swift` and its tests, whose payloads are the
 * test fixtures, test/fixtures/PROVENANCE.md), every one with `Cookie: sessionKey=…` and a 15 s timeout:
 * - `GET {base}/api/organizations` → `[{uuid, name, capabilities[]}]` (validates the key, lists the organisations);
 * - `GET {base}/api/organizations/{org}/usage` → the same keys as the OAuth usage endpoint (parsed by
 *   {@link parseClaudeUsage}); required;
 * - `…/{org}/overage_spend_limit` → `{monthly_credit_limit, used_credits, currency, is_enabled}` in minor units;
 * - `…/{org}/prepaid/credits` → `{amount, currency}` in minor units;
 * - `…/{org}/overage_credit_grant` → the extra-usage credit grant (`{amount, currency}`-like; tolerated loosely);
 * - `GET {base}/api/account` → `{email_address, memberships:[{organization:{uuid, name, rate_limit_tier}}]}`.
 *
 * The money calls and the account call are optional and asked in parallel with the usage: one failing never blocks
 * the others, and a money amount that could not be read is shown as unknown ({@link Money.unknown}), never as zero.
 * `base` is `https://claude.ai` unless `HEADROOM_CLAUDE_WEB_URL` says otherwise.
 *
 * A response that rotates the key (`Set-Cookie: sessionKey=…`) has the new value stored back in the keyring.
 * A Cloudflare challenge (403 with `cf-mitigated: challenge`, or a "Just a moment…" / "Enable JavaScript and
 * cookies" page) is its own state and keeps the key (steipete/CodexBar issue #3367); a real 401/403 means the
 * session expired.
 */
import * as z from 'zod/mini';
import type { Account } from '../accounts.js';
import { getJson, isCloudflareChallenge } from '../http.js';
import type { Failure, Money, SourceResult } from '../model.js';
import { numberLike } from '../parse.js';
import type { HttpResponse, Ports } from '../ports.js';
import { checkCurrency, checkMinorUnits } from '../ranges.js';
import type { SecretStore } from '../secrets.js';
import { claudePlanLabel, parseClaudeUsage } from './claude.js';

/** The keyring entry holding the claude.ai session key. */
export const SESSION_KEY_SECRET = 'claude-session-key' as const;
/** The keyring item's label, as the user sees it in Passwords and Keys / Keychain Access. */
export const SESSION_KEY_LABEL = 'Headroom: claude.ai session key';
/** The default base URL of the claude.ai web API. */
export const DEFAULT_CLAUDE_WEB_URL = 'https://claude.ai';
/** Timeout of each claude.ai request, ms. */
const TIMEOUT_MS = 15_000;

/** What the user does when no key is stored or it expired. */
export const SESSION_KEY_FIX =
  'Paste a new sessionKey: `headroom login claude-web` (it reads the key from stdin), or Headroom’s preferences on GNOME.';
const CLOUDFLARE_MESSAGE = 'claude.ai is asking for a browser check (Cloudflare), so Headroom cannot read it now.';
const CLOUDFLARE_FIX =
  'Open claude.ai in your browser on this network, or try without a VPN or proxy; the session key is kept.';

/**
 * Removes session secrets from a text before it is shown or stored: `sessionKey=<value>` becomes
 * `sessionKey=[redacted]` and any `sk-ant-sid…` token `[redacted]`.
 */
export function redactSessionSecrets(text: string): string {
  return text
    .replace(/sessionKey=[^;,\s]*/gi, 'sessionKey=[redacted]')
    .replace(/sk-ant-sid[A-Za-z0-9_-]*/g, '[redacted]');
}

/**
 * A session key as pasted: whitespace trimmed, and a leading `sessionKey=` and any trailing cookie attributes
 * (`; Path=/…`, when a whole cookie line was copied) dropped.
 */
export function cleanSessionKey(raw: string): string {
  return raw
    .trim()
    .replace(/^sessionKey=/, '')
    .replace(/;.*$/s, '')
    .trim();
}

/** A failure whose texts carry no session secret. */
function redacted(failure: Failure): Failure {
  return { ...failure, message: redactSessionSecrets(failure.message), fix: redactSessionSecrets(failure.fix) };
}

/** One claude.ai organisation. */
export interface ClaudeOrganization {
  /** The organisation's uuid, used in the API paths. */
  uuid: string;
  /** Its display name; the uuid when it has none. */
  name: string;
  /** Capabilities, e.g. `chat`, `api`, `claude_pro`. */
  capabilities: string[];
}

const OrganizationsSchema = z.array(z.unknown());
const OrganizationSchema = z.looseObject({
  uuid: z.string().check(z.minLength(1)),
  name: z.nullish(z.string()),
  capabilities: z.nullish(z.array(z.unknown())),
});

/**
 * Parses `GET /api/organizations`: the readable entries (a uuid at least), in order. Null when the body is not a
 * list. Pure.
 */
export function parseOrganizations(body: unknown): ClaudeOrganization[] | null {
  const list = OrganizationsSchema.safeParse(body);
  if (!list.success) return null;
  return list.data.flatMap((element) => {
    const parsed = OrganizationSchema.safeParse(element);
    if (!parsed.success) return [];
    const { uuid, name, capabilities } = parsed.data;
    // Only path-safe ids: the uuid goes into request paths.
    if (!/^[A-Za-z0-9_-]+$/.test(uuid)) return [];
    return [
      {
        uuid,
        name: name?.trim() || uuid,
        capabilities: (capabilities ?? []).filter((c): c is string => typeof c === 'string'),
      },
    ];
  });
}

/** True for an organisation that only has API (Console) capabilities. */
function apiOnly(org: ClaudeOrganization): boolean {
  return org.capabilities.length > 0 && org.capabilities.every((capability) => capability === 'api');
}

/**
 * The default organisation: the first with the `chat` capability, else the first that is not API-only, else the
 * first; null for an empty list.
 */
export function defaultOrganization(orgs: readonly ClaudeOrganization[]): ClaudeOrganization | null {
  return orgs.find((org) => org.capabilities.includes('chat')) ?? orgs.find((org) => !apiOnly(org)) ?? orgs[0] ?? null;
}

/**
 * The organisation a choice names: its uuid, or its name (case-insensitive); null when none matches.
 */
export function findOrganization(orgs: readonly ClaudeOrganization[], choice: string): ClaudeOrganization | null {
  const wanted = choice.trim();
  return (
    orgs.find((org) => org.uuid === wanted) ??
    orgs.find((org) => org.name.toLowerCase() === wanted.toLowerCase()) ??
    null
  );
}

/** The `sessionKey` a response's `Set-Cookie` carries (several cookies arrive joined with ", "); null when none. */
export function rotatedSessionKey(response: HttpResponse | undefined): string | null {
  const header = response?.headers['set-cookie'];
  if (!header) return null;
  let found: string | null = null;
  for (const match of header.matchAll(/(?:^|[,\s])sessionKey=([^;,\s]+)/g)) found = match[1] ?? null;
  return found && found !== 'deleted' ? found : null;
}

/** The base URL of the claude.ai web API, without a trailing slash. */
export function claudeWebBase(ports: Ports): string {
  return (ports.env.get('HEADROOM_CLAUDE_WEB_URL') ?? DEFAULT_CLAUDE_WEB_URL).replace(/\/+$/, '');
}

/** The outcome of one claude.ai call: JSON, or a failure in the web source's words. */
type WebResult = { ok: true; body: unknown } | { ok: false; failure: Failure; cloudflare: boolean };

/**
 * A claude.ai session: GETs with the cookie, noting any rotated key (the last one seen wins) for {@link persist}.
 */
class WebSession {
  private rotated: string | null = null;
  constructor(
    private readonly ports: Ports,
    private key: string,
  ) {}

  /** GET `{base}{path}` as JSON; Cloudflare and 401/403 become the web source's own failures. */
  async get(path: string): Promise<WebResult> {
    const result = await getJson(
      this.ports,
      {
        url: `${claudeWebBase(this.ports)}${path}`,
        headers: {
          Cookie: `sessionKey=${this.key}`,
          Accept: 'application/json, text/plain, */*',
          'Accept-Language': 'en-US,en;q=0.9',
          'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) Headroom',
        },
        timeoutMs: TIMEOUT_MS,
      },
      { name: 'claude.ai', unauthorizedFix: SESSION_KEY_FIX },
    );
    const rotated = rotatedSessionKey(result.response);
    if (rotated && rotated !== this.key) {
      this.rotated = rotated;
      this.key = rotated;
    }
    if (result.ok) return { ok: true, body: result.body };
    if (result.response && isCloudflareChallenge(result.response)) {
      return {
        ok: false,
        cloudflare: true,
        failure: { status: 'error', message: CLOUDFLARE_MESSAGE, fix: CLOUDFLARE_FIX },
      };
    }
    if (result.failure.status === 'unauthorized') {
      return {
        ok: false,
        cloudflare: false,
        failure: {
          status: 'unauthorized',
          message: `The claude.ai session has expired or was revoked (HTTP ${result.response?.status ?? 401}).`,
          fix: SESSION_KEY_FIX,
        },
      };
    }
    return { ok: false, cloudflare: false, failure: redacted(result.failure) };
  }

  /** Stores a rotated key in the keyring; a keyring failure is logged (without the key) and otherwise ignored. */
  async persist(secrets: SecretStore): Promise<void> {
    if (!this.rotated) return;
    const stored = await secrets.store(SESSION_KEY_SECRET, SESSION_KEY_LABEL, this.rotated);
    if (!stored.ok)
      this.ports.log.warn(`claude.ai rotated the session key, but it could not be stored: ${stored.message}`);
  }
}

/** The outcome of {@link listClaudeOrganizations}. */
export type OrganizationsResult =
  | { ok: true; organizations: ClaudeOrganization[]; rotatedKey: string | null }
  | { ok: false; failure: Failure; cloudflare: boolean };

/**
 * Checks a session key by listing its organisations (`GET /api/organizations`), for `headroom login claude-web`
 * and the GNOME preferences' "Check" button. `rotatedKey` is the key to store when the answer rotated it. Never
 * rejects; failures carry no secret.
 */
export async function listClaudeOrganizations(ports: Ports, key: string): Promise<OrganizationsResult> {
  let rotatedKey: string | null = null;
  const session = new WebSession(ports, key);
  const result = await session.get('/api/organizations');
  // The session remembers a rotation; read it back through a store that only records it.
  await session.persist({
    lookup: () => Promise.resolve({ ok: true, value: null }),
    clear: () => Promise.resolve({ ok: true, value: true }),
    store: (_key, _label, value) => {
      rotatedKey = value;
      return Promise.resolve({ ok: true, value: true });
    },
  });
  if (!result.ok) return result;
  const organizations = parseOrganizations(result.body);
  if (organizations === null || organizations.length === 0) {
    return {
      ok: false,
      cloudflare: false,
      failure: {
        status: 'error',
        message: organizations
          ? 'claude.ai lists no organisation for this session.'
          : 'claude.ai sent its organisations in an unexpected format.',
        fix: organizations ? 'Sign in to claude.ai with the account you use, then copy its sessionKey again.' : '',
      },
    };
  }
  return { ok: true, organizations, rotatedKey };
}

const OverageSchema = z.looseObject({
  monthly_credit_limit: z.nullish(numberLike),
  used_credits: z.nullish(numberLike),
  currency: z.nullish(z.string()),
  is_enabled: z.nullish(z.boolean()),
});
const PrepaidSchema = z.looseObject({ amount: z.nullish(numberLike), currency: z.nullish(z.string()) });
const GrantSchema = z.looseObject({
  amount: z.nullish(numberLike),
  amount_minor: z.nullish(numberLike),
  granted_credits: z.nullish(numberLike),
  remaining_credits: z.nullish(numberLike),
  currency: z.nullish(z.string()),
});
const AccountSchema = z.looseObject({
  email_address: z.nullish(z.string()),
  memberships: z.nullish(
    z.array(
      z.looseObject({
        organization: z.nullish(z.looseObject({ uuid: z.nullish(z.string()), rate_limit_tier: z.nullish(z.string()) })),
      }),
    ),
  ),
});

/** A non-negative amount in minor units, or null. */
function minor(value: number | null | undefined): number | null {
  const checked = checkMinorUnits(value);
  return checked !== null && checked >= 0 ? checked : null;
}

/** A money entry whose amounts are unknown (the call failed or its answer was unreadable): not zero. */
function unknownMoney(id: string, label: string, currency: string): Money {
  return {
    id,
    label,
    usedMinor: null,
    limitMinor: null,
    balanceMinor: null,
    currency,
    exponent: 2,
    unlimited: false,
    unknown: true,
  };
}

/**
 * The money of one organisation from the three optional calls' answers (null = that call failed). Pure.
 * - `extra-usage` ("Extra usage"): `used_credits` of `monthly_credit_limit`, when enabled; unknown when the call
 *   failed; absent when disabled.
 * - `prepaid` ("Prepaid"): the balance `amount`; unknown when the call failed.
 * - `credit-grant` ("Credit grant"): the grant's amount as a balance, when one is reported; unknown when the call
 *   failed.
 * Amounts are minor units (cents); a currency that is not a three-letter code falls back to the overage's, else USD.
 * `problems` names each part that could not be read.
 */
export function claudeWebMoney(overage: unknown, prepaid: unknown, grant: unknown, problems: string[]): Money[] {
  const money: Money[] = [];
  const over = overage === null ? null : OverageSchema.safeParse(overage);
  const fallbackCurrency = (over?.success && checkCurrency(over.data.currency)) || 'USD';
  const currencyOf = (value: string | null | undefined): string => checkCurrency(value) ?? fallbackCurrency;
  if (!over || !over.success) {
    problems.push('claude.ai’s extra-usage limit could not be read.');
    money.push(unknownMoney('extra-usage', 'Extra usage', fallbackCurrency));
  } else if (over.data.is_enabled !== false) {
    money.push({
      id: 'extra-usage',
      label: 'Extra usage',
      usedMinor: minor(over.data.used_credits),
      limitMinor: minor(over.data.monthly_credit_limit),
      balanceMinor: null,
      currency: currencyOf(over.data.currency),
      exponent: 2,
      unlimited: false,
    });
  }
  const pre = prepaid === null ? null : PrepaidSchema.safeParse(prepaid);
  if (!pre || !pre.success || minor(pre.data.amount) === null) {
    problems.push('claude.ai’s prepaid balance could not be read.');
    money.push(unknownMoney('prepaid', 'Prepaid', fallbackCurrency));
  } else {
    money.push({
      id: 'prepaid',
      label: 'Prepaid',
      usedMinor: null,
      limitMinor: null,
      balanceMinor: minor(pre.data.amount),
      currency: currencyOf(pre.data.currency),
      exponent: 2,
      unlimited: false,
    });
  }
  const granted = grant === null ? null : GrantSchema.safeParse(grant);
  if (!granted || !granted.success) {
    problems.push('claude.ai’s extra-usage credit grant could not be read.');
    money.push(unknownMoney('credit-grant', 'Credit grant', fallbackCurrency));
  } else {
    const g = granted.data;
    const amount = minor(g.amount_minor ?? g.amount ?? g.remaining_credits ?? g.granted_credits);
    if (amount !== null && amount > 0) {
      money.push({
        id: 'credit-grant',
        label: 'Credit grant',
        usedMinor: null,
        limitMinor: null,
        balanceMinor: amount,
        currency: currencyOf(g.currency),
        exponent: 2,
        unlimited: false,
      });
    }
  }
  return money;
}

/** A failure for "not set up": quiet while another source has data. */
function notSetUp(message: string, fix: string): SourceResult {
  return { ok: false, failure: { status: 'signed-out', message, fix, unused: true } };
}

/**
 * A fingerprint of the stored session key for the scheduler's sign-in pause: a 32-bit FNV-1a hash (not the key,
 * and not reversible to it), so a new or rotated key lifts the pause at once; `none` when no key is stored; null
 * when the keyring cannot be read. Never rejects.
 */
export async function claudeWebFingerprint(ports: Ports): Promise<string | null> {
  if (!ports.secrets) return 'none';
  const stored = await ports.secrets.lookup(SESSION_KEY_SECRET).catch(() => null);
  if (!stored?.ok) return null;
  if (!stored.value) return 'none';
  let hash = 0x811c9dc5;
  for (let i = 0; i < stored.value.length; i++) {
    hash ^= stored.value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `key:${hash.toString(16)}`;
}

/**
 * Fetches one organisation's usage and money with the stored session key. The organisation is `account.organization`
 * (a uuid or a name), else the default one ({@link defaultOrganization}). Accounts with their own Claude Code
 * directory are not served (quietly: `unused`). Never rejects.
 *
 * Failures: no keyring port or no key → `signed-out` (unused: "not set up"); a keyring problem → `error` with its fix
 * (`unavailable` is quiet); Cloudflare → `error` "claude.ai is asking for a browser check"; 401/403 →
 * `unauthorized` "session expired"; 429 → `rate-limited` with Retry-After; an organisation that is gone → `error`.
 */
export async function fetchClaudeWeb(ports: Ports, account?: Account): Promise<SourceResult> {
  if (account?.directory) {
    return notSetUp('The claude.ai session belongs to the default Claude account.', '');
  }
  if (!ports.secrets) return notSetUp('This Headroom has no keyring for a claude.ai session key.', '');
  const stored = await ports.secrets.lookup(SESSION_KEY_SECRET);
  if (!stored.ok) {
    return {
      ok: false,
      failure: {
        status: 'error',
        message: `${stored.message} Headroom keeps the claude.ai session key only there.`,
        fix: stored.fix,
        ...(stored.problem === 'unavailable' && { unused: true }),
      },
    };
  }
  if (!stored.value) return notSetUp('No claude.ai session key is stored.', SESSION_KEY_FIX);
  const session = new WebSession(ports, stored.value.trim());
  try {
    const listed = await session.get('/api/organizations');
    if (!listed.ok) return { ok: false, failure: listed.failure };
    const orgs = parseOrganizations(listed.body);
    if (!orgs || orgs.length === 0) {
      return {
        ok: false,
        failure: {
          status: 'error',
          message: orgs
            ? 'claude.ai lists no organisation for this session.'
            : 'claude.ai sent its organisations in an unexpected format.',
          fix: '',
        },
      };
    }
    const org = account?.organization ? findOrganization(orgs, account.organization) : defaultOrganization(orgs);
    if (!org) {
      return {
        ok: false,
        failure: {
          status: 'error',
          message: `This claude.ai session has no organisation "${redactSessionSecrets(account?.organization ?? '')}".`,
          fix: `Choose one of ${orgs.map((o) => o.name).join(', ')} (\`headroom login claude-web --org …\` or the preferences).`,
        },
      };
    }
    const path = `/api/organizations/${org.uuid}`;
    const optional = async (call: Promise<WebResult>): Promise<unknown> => {
      const result = await call;
      return result.ok ? result.body : null;
    };
    const [usage, overage, prepaid, grant, accountBody] = await Promise.all([
      session.get(`${path}/usage`),
      optional(session.get(`${path}/overage_spend_limit`)),
      optional(session.get(`${path}/prepaid/credits`)),
      optional(session.get(`${path}/overage_credit_grant`)),
      optional(session.get('/api/account')),
    ]);
    if (!usage.ok) return { ok: false, failure: usage.failure };
    const parsed = parseClaudeUsage(usage.body);
    if (!parsed.ok)
      return {
        ok: false,
        failure: { ...parsed.failure, message: 'claude.ai sent usage data in an unexpected format.' },
      };
    const problems = parsed.problems.map((problem) => problem.replace(/^Anthropic’?'?s /, 'claude.ai’s '));
    const money = claudeWebMoney(overage, prepaid, grant, problems);
    const profile = AccountSchema.safeParse(accountBody);
    const tier = profile.success
      ? profile.data.memberships?.find((m) => m.organization?.uuid === org.uuid)?.organization?.rate_limit_tier
      : null;
    return {
      ok: true,
      capture: {
        source: 'web',
        capturedAt: ports.clock.now(),
        plan: claudePlanLabel(null, tier),
        windows: parsed.windows,
        money,
        accountLabel: org.name,
        ...(problems.length > 0 && { problems }),
      },
    };
  } finally {
    await session.persist(ports.secrets);
  }
}
