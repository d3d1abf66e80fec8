/**
 * Accounts: a provider can have several logins on one machine — today one per configuration directory of its CLI
 * (every Claude Code `CLAUDE_CONFIG_DIR`, every Codex `CODEX_HOME`). Each account has its own snapshot, history,
 * alerts and back-off, all filed under its {@link Account.key}.
 *
 * Keys: the default account of a provider is filed under the provider id alone (`claude`), exactly as before
 * accounts existed, so stored documents of earlier releases keep their meaning; any other account under
 * `<provider>@<account id>` (`claude@claude-work`). Title items use the same key: `claude.session` is the default
 * account's session window, `claude@claude-work.session` another account's.
 */
import { type ProviderInfo, organizationSource } from './catalog.js';
import { slugify } from './parse.js';

/** The id of the account every provider has: its CLI's default directory (or the one its environment names). */
export const DEFAULT_ACCOUNT_ID = 'default';

/** One account of a provider. */
export interface Account {
  /** The provider's id, e.g. `claude`. */
  provider: string;
  /** Stable id within the provider: `default`, or a slug of the directory's name (`claude-work`). */
  id: string;
  /** The key in stored documents and title items: `claude` for the default account, `claude@claude-work` else. */
  key: string;
  /** What the user calls it: their label from the settings, else the directory with `~` for the home. */
  label: string;
  /**
   * The account's configuration directory, absolute; null for the default account, whose directory each source
   * finds as the CLI does (`$CLAUDE_CONFIG_DIR`, `$CODEX_HOME`, else the default under the home).
   */
  directory: string | null;
  /**
   * For the claude.ai `web` source: the organisation this account reads (a uuid or a name, as chosen); absent for
   * the default organisation. Set on the default account when organisations are chosen (the first), and on each
   * further organisation's own account (core/catalog.ts `organizations`).
   */
  organization?: string;
  /** True when the label comes from the user's settings (so a source's own name for the account does not replace it). */
  labelled?: boolean;
}

/** The part of a provider's settings that defines its accounts. */
export interface AccountSettings {
  /** Extra configuration directories, absolute paths, in the user's order. */
  directories: readonly string[];
  /** Labels by account id, e.g. `{default: "Personal", "claude-work": "Work"}`. */
  labels: Readonly<Record<string, string>>;
  /**
   * Chosen claude.ai organisations (uuids or names) for a provider with an organisation source (Claude's `web`);
   * empty = the default organisation. Optional: absent means empty.
   */
  organizations?: readonly string[];
  /** The source choice (`auto` or a source id); organisation accounts exist only with `auto` or the organisation source. */
  source?: string;
}

/** The key of an account: `claude` for the default account, `claude@work` for the account `work`. */
export function accountKey(provider: string, accountId: string): string {
  return accountId === DEFAULT_ACCOUNT_ID ? provider : `${provider}@${accountId}`;
}

/** Splits an account key (`claude@work` → provider `claude`, account `work`; `claude` → account `default`). */
export function splitAccountKey(key: string): { provider: string; account: string } {
  const at = key.indexOf('@');
  return at < 0
    ? { provider: key, account: DEFAULT_ACCOUNT_ID }
    : { provider: key.slice(0, at), account: key.slice(at + 1) || DEFAULT_ACCOUNT_ID };
}

/** A path with the home directory shown as `~`: `/home/me/.claude-work` → `~/.claude-work`. */
export function abbreviateHome(path: string, home: string | undefined): string {
  if (!home || home === '/') return path;
  const base = home.replace(/\/+$/, '');
  return path === base ? '~' : path.startsWith(`${base}/`) ? `~${path.slice(base.length)}` : path;
}

/** The id of an extra directory's account: its last path segment as a slug (`/home/me/.claude-work` → `claude-work`). */
function directoryId(directory: string): string {
  const name = directory.replace(/\/+$/, '').split('/').pop() ?? '';
  return slugify(name) || 'account';
}

/**
 * The id of a further organisation's account: `org-` and the first 8 characters of a uuid's slug
 * (`org-4f3c2b1a`), or the slug of a name (`org-acme-corp`).
 */
function organizationId(organization: string): string {
  const slug = slugify(organization) || 'organization';
  const short = /^[0-9a-f]{8}-/.test(slug) ? slug.slice(0, 8) : slug;
  return short.startsWith('org-') ? short : `org-${short}`;
}

/** True for an account that only the organisation source serves (a further claude.ai organisation). */
export function isOrganizationAccount(account: Account): boolean {
  return account.organization !== undefined && account.id !== DEFAULT_ACCOUNT_ID;
}

/**
 * The accounts of a provider, default first, then one per extra directory in the settings' order. A directory
 * listed twice (or equal to the default directory as written in the catalog, expanded with `home`) counts once.
 * Ids are stable as long as the list is: a slug of the directory's name, with `-2`, `-3`… when two names give the
 * same slug. Labels come from `settings.labels` by id, else the directory with `~` for `home`.
 *
 * For a provider with an organisation source (Claude's `web`, used in `auto` or chosen): the first chosen
 * organisation is the default account's; each further one is an account of its own after the directories
 * (`claude@org-4f3c2b1a`), labelled by the user's label, else the choice as written until the source names it.
 */
export function accountsOf(info: ProviderInfo, settings: AccountSettings, home?: string): Account[] {
  const defaultDirectory = home ? info.directories.defaultDirectory.replace(/^~(?=\/|$)/, home) : null;
  const label = (id: string, fallback: string): string => settings.labels[id]?.trim() || fallback;
  const labelled = (id: string): { labelled?: true } => (settings.labels[id]?.trim() ? { labelled: true } : {});
  const orgSource = organizationSource(info);
  const organizations =
    orgSource && (settings.source === undefined || settings.source === 'auto' || settings.source === orgSource.id)
      ? [...new Set((settings.organizations ?? []).map((org) => org.trim()).filter(Boolean))]
      : [];
  const accounts: Account[] = [
    {
      provider: info.id,
      id: DEFAULT_ACCOUNT_ID,
      key: info.id,
      label: label(DEFAULT_ACCOUNT_ID, info.directories.defaultDirectory),
      directory: null,
      ...labelled(DEFAULT_ACCOUNT_ID),
      ...(organizations[0] !== undefined && { organization: organizations[0] }),
    },
  ];
  const seen = new Set<string>(defaultDirectory ? [defaultDirectory.replace(/\/+$/, '')] : []);
  const ids = new Set<string>([DEFAULT_ACCOUNT_ID]);
  for (const raw of settings.directories) {
    const directory = raw.replace(/\/+$/, '') || '/';
    if (seen.has(directory)) continue;
    seen.add(directory);
    const base = directoryId(directory);
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
    ids.add(id);
    accounts.push({
      provider: info.id,
      id,
      key: accountKey(info.id, id),
      label: label(id, abbreviateHome(directory, home)),
      directory,
      ...labelled(id),
    });
  }
  for (const organization of organizations.slice(1)) {
    const base = organizationId(organization);
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
    ids.add(id);
    accounts.push({
      provider: info.id,
      id,
      key: accountKey(info.id, id),
      label: label(id, organization),
      directory: null,
      organization,
      ...labelled(id),
    });
  }
  return accounts;
}
