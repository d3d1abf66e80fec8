/**
 * The usage scanner (core/usage/) fed hostile log lines: mutated real Claude Code usage lines (numbers, nulls,
 * strings and clocks far off in every field the scanner reads; truncation anywhere), hostile Codex `token_count`
 * events, and garbage holding the markers. No scan throws; every figure that reaches JSON v1's `usage` object stays
 * inside its schema (test/support/json-v1-schema.ts); a warm scan from the saved index gives what the cold one gave.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aggregate, parseSummary, scanUsage, serializeEntries, serializeSummary } from '../../core/usage/index.js';
import { usageItems } from '../../core/usage/index.js';
import { accountUsage } from '../../core/usage/summary.js';
import { fakePorts } from '../support/fake-ports.js';
import { jsonUsageV1 } from '../support/json-v1-schema.js';
import { RUNS, anyJson, instantText, numberish } from './arbitraries.js';

const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const REAL = readFileSync(
  join(import.meta.dirname, '..', 'fixtures', 'claude', 'transcripts', 'real-cli-claude-transcript-run1.jsonl'),
  'utf8',
)
  .split('\n')
  .find((line) => line.includes('"usage":{'))!;

const field = fc.oneof(numberish, fc.constant(null), fc.string({ maxLength: 8 }), anyJson);

/** A real usage line with some fields replaced by hostile values, maybe cut short. */
const claudeLine: fc.Arbitrary<string> = fc
  .record({
    input: field,
    output: field,
    cacheWrite: field,
    cacheRead: field,
    split5m: field,
    timestamp: instantText,
    id: fc.constantFrom('msg_a', 'msg_b', 'msg_c', null),
    requestId: fc.constantFrom('req_a', 'req_b', null),
    sidechain: fc.constantFrom(true, false, 'yes'),
    model: fc.constantFrom('claude-opus-4-6', 'sonnet', '<synthetic>', '', 'claude-opus-5-5', 42),
    speed: fc.constantFrom('fast', 'standard', null, undefined),
    cut: fc.option(fc.nat({ max: 2000 })),
  })
  .map((v) => {
    const line = JSON.parse(REAL) as {
      message: { usage: Record<string, unknown> & { cache_creation: Record<string, unknown> } } & Record<
        string,
        unknown
      >;
    } & Record<string, unknown>;
    const usage = line.message.usage;
    usage.input_tokens = v.input;
    usage.output_tokens = v.output;
    usage.cache_creation_input_tokens = v.cacheWrite;
    usage.cache_read_input_tokens = v.cacheRead;
    usage.cache_creation.ephemeral_5m_input_tokens = v.split5m;
    usage.speed = v.speed;
    line.timestamp = v.timestamp;
    line.message.id = v.id;
    line.message.model = v.model;
    line.requestId = v.requestId;
    line.isSidechain = v.sidechain;
    const text = JSON.stringify(line);
    return v.cut === null ? text : text.slice(0, v.cut);
  });

const codexLine: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({ timestamp: instantText, input: field, cached: field, output: field, total: field })
    .map(({ timestamp, input, cached, output, total }) =>
      JSON.stringify({
        timestamp,
        type: 'event_msg',
        payload: {
          type: 'token_count',
          info: {
            total_token_usage: {
              input_tokens: input,
              cached_input_tokens: cached,
              output_tokens: output,
              total_tokens: total,
            },
            last_token_usage: { input_tokens: input, cached_input_tokens: cached, output_tokens: output },
          },
        },
      }),
    ),
  fc.string({ maxLength: 30 }).map((text) => `{"type":"turn_context","payload":{"model":${JSON.stringify(text)}}}`),
  fc.string({ maxLength: 40 }).map((text) => `"token_count"${text}`),
);

const garbage = fc.string({ maxLength: 60 }).map((text) => `"usage":{${text}`);

describe('fuzz: the usage scanner', () => {
  it('never throws, keeps JSON v1 usage in its schema, and a warm scan equals the cold one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 5, arbitrary: claudeLine }, garbage), { minLength: 1, maxLength: 8 }),
        fc.array(codexLine, { maxLength: 5 }),
        fc.boolean(),
        async (claude, codex, terminated) => {
          const files = {
            '/home/dev/.claude/projects/-p/s.jsonl': claude.join('\n') + (terminated ? '\n' : ''),
            '/home/dev/.codex/sessions/2026/11/22/rollout-2026-11-22T04-00-00-x.jsonl': codex.join('\n'),
          };
          const ports = fakePorts({ now: NOW, files });
          const roots = [
            { provider: 'claude' as const, account: 'claude', directory: '/home/dev/.claude/projects' },
            { provider: 'codex' as const, account: 'codex', directory: '/home/dev/.codex/sessions' },
          ];
          const cold = await scanUsage(ports.files, roots);
          for (const account of ['claude', 'codex']) {
            const usage = accountUsage(cold, account, { now: NOW, timeZone: 'Europe/Berlin' });
            if (usage) jsonUsageV1.parse(usage);
          }
          const entriesText = serializeEntries(cold.index);
          const warm = await scanUsage(ports.files, roots, {
            index: parseSummary(serializeSummary(cold.index)),
            loadEntries: () => Promise.resolve(entriesText),
          });
          const total = (result: typeof cold): number =>
            aggregate(usageItems(result), { kind: 'daily' }).totals.totalTokens;
          expect(total(warm)).toBe(total(cold));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
