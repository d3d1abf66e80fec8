/**
 * The whole pipeline on hostile inputs: Claude's and Codex's APIs and Codex's rollouts answer fuzzed bodies, a
 * refresh runs (history, alerts), every renderer and JSON v1 are checked, the state is written and read back, and a
 * second (cached) run is checked again. One provider's garbage never takes the other's output with it.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { runRefresh } from '../../core/session.js';
import { DEFAULT_SETTINGS } from '../../core/settings.js';
import { deserializeState, emptyState, serializeState } from '../../core/state.js';
import { fakePorts, jsonResponse } from '../support/fake-ports.js';
import { RUNS, claudeUsageBody, codexUsageBody, rolloutLine } from './arbitraries.js';
import { checkOutputs } from './check.js';

const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const CLAUDE_LOGIN = JSON.stringify({ claudeAiOauth: { accessToken: 'tok', expiresAt: NOW + 3_600_000 } });
const CODEX_LOGIN = JSON.stringify({ tokens: { access_token: 'tok', account_id: 'acc' } });
const ROLLOUT = '/home/dev/.codex/sessions/2026/11/22/rollout-2026-11-22T04-16-03-x.jsonl';

describe('fuzz: parse → refresh → every renderer → state file → cached run', () => {
  it('stays inside JSON v1 and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(
        claudeUsageBody,
        codexUsageBody,
        fc.array(rolloutLine, { maxLength: 3 }),
        async (claude, codex, lines) => {
          const ports = fakePorts({
            now: NOW,
            files: {
              '/home/dev/.claude/.credentials.json': CLAUDE_LOGIN,
              '/home/dev/.codex/auth.json': CODEX_LOGIN,
              [ROLLOUT]: lines.join('\n'),
            },
            http: (request) => jsonResponse(request.url.includes('wham') ? codex : claude),
          });
          const first = await runRefresh(ports, DEFAULT_SETTINGS, emptyState(), null, { force: true });
          if (first.snapshots.length !== 2) throw new Error('a provider went missing');
          checkOutputs(first.snapshots, NOW, first.alerts);
          const state = deserializeState(serializeState(first.state));
          const second = await runRefresh(ports, DEFAULT_SETTINGS, state, null, { force: false });
          checkOutputs(second.snapshots, NOW + 1, second.alerts);
        },
      ),
      { numRuns: Math.max(100, Math.round(RUNS / 10)) },
    );
  });
});
