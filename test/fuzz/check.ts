/**
 * What must hold for any output: the JSON v1 document parses with the schema of test/support/json-v1-schema.ts, and
 * every renderer (text, SwiftBar, xbar) returns text without throwing.
 */
import type { Alert } from '../../core/alerts.js';
import { toJsonDocument } from '../../core/json-output.js';
import type { ProviderSnapshot } from '../../core/model.js';
import { presentMenu } from '../../core/present.js';
import { PROVIDERS } from '../../core/providers/index.js';
import { DEFAULT_SETTINGS, type Settings } from '../../core/settings.js';
import { renderMenuBar, renderText } from '../../swiftbar-plugin/render.js';
import { jsonDocumentV1 } from '../support/json-v1-schema.js';

/** Throws (with zod's issues) when the snapshots' outputs leave the documented ranges. */
export function checkOutputs(
  snapshots: ProviderSnapshot[],
  now: number,
  alerts: Alert[] = [],
  settings: Settings = DEFAULT_SETTINGS,
): void {
  const document = JSON.parse(JSON.stringify(toJsonDocument(snapshots, now, alerts))) as unknown;
  const parsed = jsonDocumentV1.safeParse(document);
  if (!parsed.success) throw new Error(`JSON v1 violated: ${JSON.stringify(parsed.error.issues)}`);
  const menu = presentMenu(snapshots, PROVIDERS, settings, { now, samples: [], offline: false });
  for (const text of [
    renderText(menu),
    renderMenuBar(menu, 'swiftbar', { pluginPath: '/p/headroom.5m.mjs' }),
    renderMenuBar(menu, 'xbar', { pluginPath: '/p/headroom.5m.mjs' }),
  ]) {
    if (typeof text !== 'string' || text.length === 0) throw new Error('a renderer printed nothing');
    if (/NaN|Infinity|∞|undefined/.test(text)) throw new Error(`a renderer printed a broken value: ${text}`);
  }
}

/** A snapshot of one provider from parsed windows and money, as refresh builds it. */
export function snapshotOf(
  provider: string,
  capture: Pick<ProviderSnapshot, 'windows' | 'money' | 'plan'>,
  now: number,
): ProviderSnapshot {
  return {
    provider,
    account: { id: 'default', key: provider, label: `~/.${provider}` },
    source: 'api',
    status: 'ok',
    message: '',
    fix: '',
    stale: false,
    fetchedAt: now,
    retryAt: null,
    ...capture,
  };
}
