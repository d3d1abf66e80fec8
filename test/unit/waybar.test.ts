import { describe, expect, it } from 'vitest';
import type { ProviderSnapshot } from '../../core/model.js';
import { presentMenu } from '../../core/present.js';
import { PROVIDERS } from '../../core/providers/index.js';
import { DEFAULT_SETTINGS } from '../../core/settings.js';
import { waybarLine } from '../../swiftbar-plugin/waybar.js';
import { T, okSnapshot as snap } from '../support/builders.js';

function line(snapshots: ProviderSnapshot[]) {
  return waybarLine(presentMenu(snapshots, PROVIDERS, DEFAULT_SETTINGS, { now: T, timeZone: 'UTC', locale: 'en-US' }));
}

describe('waybarLine', () => {
  it('takes class and percentage from the fullest window, even one the title does not show', () => {
    const out = line([
      snap('claude', [
        { id: 'session', label: 'Session (5 h)', usedPercent: 20, resetsAt: T + 3_600_000, windowMinutes: 300 },
        { id: 'weekly', label: 'Weekly', usedPercent: 74.6, resetsAt: null, windowMinutes: 10080 },
      ]),
    ]);
    expect(out).toMatchObject({ text: 'C 20%', class: 'warning', alt: 'warning', percentage: 75 });
    expect(out.tooltip.split('\n')).toContain('Weekly: 75% used');
  });

  it('escapes Pango markup in text that came from outside', () => {
    const out = line([
      snap('claude', [{ id: 'session', label: 'Session (5 h)', usedPercent: 1, resetsAt: null, windowMinutes: 300 }], {
        plan: '<b>Max</b> & co',
      }),
    ]);
    expect(out.tooltip).toContain('&lt;b&gt;Max&lt;/b&gt; &amp; co');
    expect(out.tooltip).not.toContain('<b>');
  });

  it('says how to connect, class normal and 0 %, when nothing is signed in', () => {
    const signedOut = (provider: string) => snap(provider, [], { status: 'signed-out', message: 'x', fix: 'y' });
    const out = line([signedOut('claude'), signedOut('codex')]);
    expect(out).toMatchObject({ text: 'Headroom', class: 'normal', percentage: 0 });
    expect(out.tooltip).toContain('Headroom found no Claude Code or Codex login on this machine.');
  });
});
