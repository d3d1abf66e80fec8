/**
 * The places that list providers outside TypeScript — the GSettings schema's defaults and the xbar/SwiftBar
 * variables of the built plugin — agree with the catalog, so a provider added there reaches every shell.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG, providerEnvName, signInSources } from '../../core/catalog.js';
import { PROVIDERS } from '../../core/providers/index.js';
import { DEFAULT_SETTINGS } from '../../core/settings.js';
import { ROOT } from '../support/plugin-harness.js';

const schema = readFileSync(
  join(ROOT, 'gnome-extension', 'schemas', 'org.gnome.shell.extensions.headroom.gschema.xml'),
  'utf8',
);

/** The GVariant text of a key's default, as a list of its quoted strings. */
function defaultStrings(key: string): string[] {
  const match = new RegExp(`<key name="${key}"[^>]*>\\s*<default>([^<]*)</default>`).exec(schema);
  return [...(match?.[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1]!);
}

describe('the provider catalog', () => {
  it('has code for every provider, in the catalog order, Gemini included', () => {
    expect(PROVIDERS.map((p) => p.id)).toEqual(CATALOG.map((p) => p.id));
    expect(CATALOG.map((p) => [p.id, p.letter])).toEqual([
      ['claude', 'C'],
      ['codex', 'X'],
      ['gemini', 'G'],
    ]);
  });

  it('matches the GSettings defaults: every provider enabled, each one in the indicator', () => {
    expect(defaultStrings('enabled-providers')).toEqual(CATALOG.map((p) => p.id));
    expect(defaultStrings('indicator-items')).toEqual(DEFAULT_SETTINGS.title);
  });

  it("offers each provider's sources as an xbar variable of the plugin", () => {
    const build = readFileSync(join(ROOT, 'build', 'build.mjs'), 'utf8');
    for (const info of CATALOG) {
      const choices = ['auto', ...info.sources.map((s) => s.id), 'off'].join(', ');
      expect(build).toContain(`select(${providerEnvName(info.id)}="auto"): ${info.name} source. [${choices}]`);
    }
    expect(build).toContain(`string(HEADROOM_TITLE="${DEFAULT_SETTINGS.title.join(',')}")`);
  });

  it('names the sources Headroom signs in to itself, each with a `headroom login` target of its own', () => {
    expect(signInSources().map(({ provider, source, signIn }) => [provider.id, source.id, signIn])).toEqual([
      ['claude', 'oauth', { target: 'claude', kind: 'oauth' }],
      ['claude', 'web', { target: 'claude-web', kind: 'session-key' }],
    ]);
  });
});
