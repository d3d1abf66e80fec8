/**
 * Every parser of outside data, fed hostile inputs (test/fuzz/arbitraries.ts): none throws, and what each returns
 * stays inside the documented ranges (core/ranges.ts) all the way to JSON v1 and the renderers. `npm test` runs a
 * few hundred inputs per parser; `npm run fuzz` runs 100,000.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseSampleLine } from '../../core/history.js';
import { readClaudeCredentials, parseClaudeUsage } from '../../core/providers/claude.js';
import { parseCodexUsage, readCodexAuth } from '../../core/providers/codex.js';
import { readCodexRollouts } from '../../core/providers/codex-logs.js';
import {
  parseGeminiQuota,
  parseLoadCodeAssist,
  readGeminiLogin,
  readGoogleError,
} from '../../core/providers/gemini.js';
import { checkInstant, checkPercent } from '../../core/ranges.js';
import { resolveSettings } from '../../core/settings.js';
import { deserializeState, serializeState } from '../../core/state.js';
import { fakePorts } from '../support/fake-ports.js';
import {
  RUNS,
  anyJson,
  claudeUsageBody,
  codexUsageBody,
  configValue,
  credentialsText,
  historyLine,
  instantText,
  name,
  numberish,
  rolloutLine,
  stateText,
} from './arbitraries.js';
import { checkOutputs, snapshotOf } from './check.js';

const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const params = { numRuns: RUNS };

/** A `retrieveUserQuota` body (Google Code Assist): buckets of hostile fractions, model ids and reset times. */
const geminiQuotaBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      buckets: fc.oneof(
        fc.array(
          fc.oneof(
            {
              weight: 5,
              arbitrary: fc.record(
                {
                  modelId: fc.oneof(
                    fc.constantFrom('gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'),
                    name,
                  ),
                  tokenType: fc.constantFrom('REQUESTS', '', null),
                  remainingFraction: numberish,
                  resetTime: instantText,
                },
                { requiredKeys: [] },
              ),
            },
            anyJson,
          ),
          { maxLength: 6 },
        ),
        anyJson,
      ),
    },
    { requiredKeys: [] },
  ),
  anyJson,
);

describe('fuzz: parsers of outside data', () => {
  it('Claude OAuth usage', () => {
    fc.assert(
      fc.property(claudeUsageBody, (body) => {
        const result = parseClaudeUsage(body);
        if (result.ok) checkOutputs([snapshotOf('claude', { ...result, plan: null }, NOW)], NOW);
      }),
      params,
    );
  });

  it('Codex wham/usage', () => {
    fc.assert(
      fc.property(codexUsageBody, (body) => {
        const result = parseCodexUsage(body, NOW);
        if (result.ok) checkOutputs([snapshotOf('codex', result, NOW)], NOW);
      }),
      params,
    );
  });

  it('Codex rollout lines', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rolloutLine, { minLength: 1, maxLength: 4 }), async (lines) => {
        const path = '/home/dev/.codex/sessions/2026/11/22/rollout-2026-11-22T04-16-03-x.jsonl';
        const result = await readCodexRollouts(fakePorts({ now: NOW, files: { [path]: lines.join('\n') } }));
        if (result.ok) checkOutputs([snapshotOf('codex', result.capture, NOW)], NOW);
      }),
      params,
    );
  });

  it('Gemini retrieveUserQuota, loadCodeAssist and error bodies', () => {
    fc.assert(
      fc.property(
        geminiQuotaBody,
        anyJson,
        fc.oneof(
          fc.string(),
          anyJson.map((v) => JSON.stringify(v) ?? ''),
        ),
        (body, load, error) => {
          const result = parseGeminiQuota(body);
          if (result.ok) checkOutputs([snapshotOf('gemini', { ...result, money: [], plan: null }, NOW)], NOW);
          parseLoadCodeAssist(load);
          const reset = readGoogleError(error, NOW).resetAt;
          if (reset !== null && !Number.isFinite(reset)) throw new Error('resetAt is not finite');
        },
      ),
      params,
    );
  });

  it("Gemini CLI's oauth_creds.json and settings.json", async () => {
    const creds = fc.record(
      { access_token: anyJson, refresh_token: anyJson, expiry_date: numberish },
      { requiredKeys: [] },
    );
    const settings = fc.record(
      {
        security: fc.record({
          auth: fc.record({
            selectedType: fc.oneof(fc.constantFrom('oauth-personal', 'vertex-ai', 'gemini-api-key'), anyJson),
          }),
        }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(credentialsText(creds), credentialsText(settings), async (credsText, settingsText) => {
        const result = await readGeminiLogin(
          fakePorts({
            now: NOW,
            files: { '/home/dev/.gemini/oauth_creds.json': credsText, '/home/dev/.gemini/settings.json': settingsText },
          }),
        );
        if (result.ok && result.credentials.expiresAt !== null && checkInstant(result.credentials.expiresAt) === null) {
          throw new Error('expiresAt out of range');
        }
      }),
      params,
    );
  });

  it('Claude Code credentials files', async () => {
    const shape = fc.record({
      claudeAiOauth: fc.record(
        { accessToken: fc.constantFrom('tok', '', null), expiresAt: numberish, scopes: anyJson },
        { requiredKeys: [] },
      ),
    });
    await fc.assert(
      fc.asyncProperty(credentialsText(shape), async (text) => {
        const result = await readClaudeCredentials(
          fakePorts({ now: NOW, files: { '/home/dev/.claude/.credentials.json': text } }),
        );
        if (result.ok && result.credentials.expiresAt !== null && !Number.isFinite(result.credentials.expiresAt)) {
          throw new Error('expiresAt is not finite');
        }
      }),
      params,
    );
  });

  it("Codex's auth.json", async () => {
    const shape = fc.record(
      {
        OPENAI_API_KEY: anyJson,
        tokens: fc.record({ access_token: anyJson, account_id: anyJson }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(credentialsText(shape), async (text) => {
        await readCodexAuth(fakePorts({ now: NOW, files: { '/home/dev/.codex/auth.json': text } }));
      }),
      params,
    );
  });

  it('the state document, read back and written again', () => {
    fc.assert(
      fc.property(stateText, (text) => {
        const state = deserializeState(text);
        for (const account of Object.values(state.memory)) {
          for (const source of Object.values(account.sources)) {
            const capture = source.lastGood;
            if (!capture) continue;
            if (checkInstant(capture.capturedAt) === null) throw new Error('capturedAt out of range');
            checkOutputs([snapshotOf('claude', capture, NOW)], NOW);
          }
        }
        const again = serializeState(deserializeState(serializeState(state)));
        if (again !== serializeState(state)) throw new Error('the state does not round-trip');
      }),
      params,
    );
  });

  it('history lines', () => {
    fc.assert(
      fc.property(historyLine, (line) => {
        const sample = parseSampleLine(line);
        if (sample && (checkInstant(sample.at) === null || checkPercent(sample.usedPercent) === null)) {
          throw new Error('a sample out of range');
        }
      }),
      params,
    );
  });

  it('config.json settings', () => {
    fc.assert(
      fc.property(configValue, (file) => {
        const { settings } = resolveSettings(file, () => undefined, '/home/dev');
        if (!(settings.minFetchIntervalSeconds > 0) || !Number.isFinite(settings.minFetchIntervalSeconds)) {
          throw new Error('minFetchIntervalSeconds out of range');
        }
        checkOutputs([], NOW, [], settings);
      }),
      params,
    );
  });
});
