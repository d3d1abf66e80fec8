// Generates a synthetic corpus of Claude Code transcripts and Codex rollouts in the CLIs' own line format (compact
// JSON, field order as Claude Code 2.1.x and Codex 0.169 write it; see test/fixtures/claude/transcripts and
// test/fixtures/codex/rollouts for the real lines it imitates), for the usage report's exactness test and benchmark.
//
// What it puts in, deterministically from a seed:
// - sessions under `<home>/.claude/projects/<project>/<session>.jsonl`: user turns with bulky text (most bytes of a
//   real transcript carry no usage), assistant responses split into one line per content block with partial
//   `output_tokens` on the early copies, some long-context (>200k) Sonnet requests, 1-hour cache writes, fast mode,
//   an unpriced model, `<synthetic>` API-error lines, and a few truncated (non-JSON) lines;
// - subagent files `<session>/subagents/agent-<id>.jsonl` (`isSidechain: true`) whose lines are also copied into the
//   parent as `agent_progress` lines;
// - resumed sessions: a new file that starts with verbatim copies of an earlier session's lines;
// - Codex rollouts `<home>/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl` with `turn_context` and cumulative
//   `token_count` events, half of them re-emits of an unchanged total.
//
// Usage: node test/bench/usage-corpus.mjs <home> [megabytes] [seed]
import { Buffer } from 'node:buffer';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MODELS = [
  ['claude-opus-4-6', 30],
  ['claude-sonnet-4-5-20250929', 25],
  ['claude-haiku-4-5-20251001', 25],
  ['claude-opus-4-1-20250805', 8],
  ['claude-sonnet-4-20250514', 7],
  ['claude-opus-5-5', 5],
];
const WORDS =
  'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no out up into more them some could time than other'.split(
    ' ',
  );

/**
 * Writes a corpus of about `megabytes` MB under `home`; returns counts. Sessions start at random times in the `days`
 * days from `start` (epoch ms) and run for up to ten hours. With `lastSessionAtEnd`, the first Claude Code session
 * starts at the end of that span instead and its requests stop 55 minutes after it (Codex's too), while every other
 * Claude Code session's requests stop six hours before it: so a corpus whose span ends an hour ago has a current
 * five-hour block opened by that session alone (a block starts with the first request after a gap of five hours),
 * whatever the hour, and no request lies in the future. The same seed gives the same corpus otherwise: only
 * timestamps are held back.
 */
export function generateCorpus(
  home,
  { megabytes = 20, seed = 1, days = 40, start = Date.UTC(2026, 9, 20), lastSessionAtEnd = false } = {},
) {
  const random = prng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
  const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');
  const id = (prefix) => `${prefix}${hex(24)}`;
  const uuid = () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  const text = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const model = () => {
    let r = random() * 100;
    for (const [name, weight] of MODELS) if ((r -= weight) < 0) return name;
    return MODELS[0][0];
  };
  const budget = megabytes * 1024 * 1024;
  const spanEnd = start + days * 86_400_000;
  let written = 0;
  const stats = { files: 0, sessions: 0, usageLines: 0, truncated: 0, rollouts: 0 };
  const projects = Array.from({ length: 12 }, (_, i) => `-home-dev-work-project-${i}`);
  const sessionsLines = []; // a few earlier sessions' lines, for resumed copies
  const claudeRoot = join(home, '.claude', 'projects');

  const writeFile = (path, lines, terminated = true) => {
    mkdirSync(join(path, '..'), { recursive: true });
    const body = lines.join('\n') + (terminated && lines.length > 0 ? '\n' : '');
    const fd = openSync(path, 'w');
    writeSync(fd, body);
    closeSync(fd);
    written += Buffer.byteLength(body);
    stats.files++;
  };

  const assistantLines = (ctx, at, sidechain, agentId) => {
    const m = ctx.fastOpus && random() < 0.3 ? 'claude-opus-4-6' : model();
    const messageId = id('msg_01');
    const requestId = id('req_011C');
    const long = m.startsWith('claude-sonnet-4') && random() < 0.08;
    const cacheRead = long ? int(180_000, 420_000) : int(0, 90_000);
    const write1h = random() < 0.2 ? int(100, 20_000) : 0;
    const write5m = int(0, 15_000);
    const input = long ? int(200, 250_000) : int(1, 400);
    const output = int(20, 4_000);
    const fast = m === 'claude-opus-4-6' && random() < 0.05;
    const blocks = int(1, 3);
    const lines = [];
    for (let b = 0; b < blocks; b++) {
      const last = b === blocks - 1;
      const usage = {
        input_tokens: input,
        cache_creation_input_tokens: write5m + write1h,
        cache_read_input_tokens: cacheRead,
        cache_creation: { ephemeral_5m_input_tokens: write5m, ephemeral_1h_input_tokens: write1h },
        output_tokens: last ? output : int(1, 12),
        service_tier: 'standard',
        ...(fast ? { speed: 'fast' } : {}),
      };
      const line = {
        parentUuid: uuid(),
        isSidechain: sidechain,
        userType: 'external',
        cwd: ctx.cwd,
        sessionId: ctx.session,
        version: '2.1.39',
        gitBranch: 'main',
        ...(agentId ? { agentId } : {}),
        message: {
          model: m,
          id: messageId,
          type: 'message',
          role: 'assistant',
          content: [
            b === 0
              ? { type: 'text', text: text(int(5, 60)) }
              : { type: 'tool_use', id: id('toolu_01'), name: 'Bash', input: { command: text(6) } },
          ],
          stop_reason: last ? 'tool_use' : null,
          stop_sequence: null,
          usage,
        },
        requestId,
        type: 'assistant',
        uuid: uuid(),
        timestamp: new Date(at + b * 40).toISOString(),
      };
      lines.push(JSON.stringify(line));
      stats.usageLines++;
    }
    return lines;
  };

  let sessionNo = 0;
  while (written < budget) {
    sessionNo++;
    const project = pick(projects);
    const session = uuid();
    const ctx = { cwd: `/home/dev/work/${project}`, session, fastOpus: random() < 0.2 };
    const lines = [];
    // Resumed session: starts with copies of an earlier session's lines (same ids, same values).
    if (sessionsLines.length > 0 && random() < 0.15) {
      const earlier = pick(sessionsLines);
      lines.push(...earlier.slice(0, int(1, Math.min(40, earlier.length))));
    }
    const randomAt = start + Math.floor(random() * days * 86_400_000);
    const last = lastSessionAtEnd && sessionNo === 1;
    let at = last ? spanEnd : randomAt;
    const latest = !lastSessionAtEnd ? Infinity : last ? spanEnd + 55 * 60_000 : spanEnd - 6 * 3_600_000;
    const turns = int(4, 60);
    for (let t = 0; t < turns; t++) {
      at = Math.min(latest, at + int(5_000, 600_000));
      lines.push(
        JSON.stringify({
          parentUuid: uuid(),
          isSidechain: false,
          userType: 'external',
          cwd: ctx.cwd,
          sessionId: session,
          version: '2.1.39',
          gitBranch: 'main',
          type: 'user',
          message: {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: id('toolu_01'), content: text(int(50, 1500)) }],
          },
          uuid: uuid(),
          timestamp: new Date(at).toISOString(),
        }),
      );
      lines.push(...assistantLines(ctx, at + 1500, false));
      const roll = random();
      if (roll < 0.01) {
        // A line cut short (a crash mid-write): not JSON.
        const cut = assistantLines(ctx, at + 2000, false)[0];
        stats.usageLines--;
        lines.push(cut.slice(0, int(20, cut.length - 10)));
        stats.truncated++;
      } else if (roll < 0.02) {
        lines.push(
          JSON.stringify({
            parentUuid: uuid(),
            isSidechain: false,
            cwd: ctx.cwd,
            sessionId: session,
            version: '2.1.39',
            message: {
              id: uuid(),
              model: '<synthetic>',
              role: 'assistant',
              type: 'message',
              content: [{ type: 'text', text: `Claude AI usage limit reached|${Math.floor(at / 1000) + 3600}` }],
              usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
            },
            type: 'assistant',
            isApiErrorMessage: true,
            uuid: uuid(),
            timestamp: new Date(at + 2500).toISOString(),
          }),
        );
      } else if (roll < 0.06) {
        // A subagent: its own sidechain file, and its lines copied into the parent as agent_progress.
        const agentId = hex(7);
        const agentLines = [];
        for (let k = 0; k < int(1, 6); k++)
          agentLines.push(...assistantLines(ctx, at + 3000 + k * 9000, true, agentId));
        writeFile(join(claudeRoot, project, session, 'subagents', `agent-${agentId}.jsonl`), agentLines);
        for (const agentLine of agentLines) {
          if (random() < 0.5) continue;
          const inner = JSON.parse(agentLine);
          lines.push(
            JSON.stringify({
              parentUuid: uuid(),
              isSidechain: false,
              userType: 'external',
              cwd: ctx.cwd,
              sessionId: session,
              version: '2.1.39',
              gitBranch: 'main',
              type: 'progress',
              data: {
                message: {
                  type: 'assistant',
                  timestamp: inner.timestamp,
                  message: inner.message,
                  requestId: inner.requestId,
                  uuid: inner.uuid,
                },
                normalizedMessages: [],
                type: 'agent_progress',
                prompt: text(20),
                agentId,
              },
              toolUseID: id('toolu_01'),
              parentToolUseID: id('toolu_01'),
              uuid: uuid(),
              timestamp: inner.timestamp,
            }),
          );
          stats.usageLines++;
        }
      }
    }
    writeFile(join(claudeRoot, project, `${session}.jsonl`), lines);
    stats.sessions++;
    if (sessionsLines.length < 50) sessionsLines.push(lines);
    else if (random() < 0.1) sessionsLines[Math.floor(random() * 50)] = lines;

    // Now and then a Codex rollout.
    if (sessionNo % 8 === 0) {
      let t = start + Math.floor(random() * days * 86_400_000);
      const day = new Date(t);
      const dir = join(
        home,
        '.codex',
        'sessions',
        String(day.getUTCFullYear()),
        String(day.getUTCMonth() + 1).padStart(2, '0'),
        String(day.getUTCDate()).padStart(2, '0'),
      );
      const stamp = day.toISOString().slice(0, 19).replace(/:/g, '-');
      const out = [
        JSON.stringify({
          timestamp: day.toISOString(),
          type: 'session_meta',
          payload: { id: uuid(), cwd: '/home/dev/work', originator: 'codex_cli_rs', cli_version: '0.169.0' },
        }),
      ];
      const total = {
        input_tokens: 0,
        cached_input_tokens: 0,
        output_tokens: 0,
        reasoning_output_tokens: 0,
        total_tokens: 0,
      };
      const codexModel = pick(['gpt-5-codex', 'gpt-5.1-codex', 'gpt-5.2', 'gpt-5']);
      for (let turn = 0; turn < int(2, 20); turn++) {
        t = Math.min(lastSessionAtEnd ? spanEnd + 55 * 60_000 : Infinity, t + int(10_000, 300_000));
        out.push(
          JSON.stringify({
            timestamp: new Date(t).toISOString(),
            type: 'turn_context',
            payload: {
              cwd: '/home/dev/work',
              approval_policy: 'on-request',
              model: codexModel,
              effort: 'medium',
              summary: 'auto',
            },
          }),
        );
        out.push(
          JSON.stringify({
            timestamp: new Date(t + 1).toISOString(),
            type: 'response_item',
            payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: text(int(20, 400)) }] },
          }),
        );
        const input = int(2_000, 60_000);
        const cached = int(0, input);
        const output = int(10, 3_000);
        const last = {
          input_tokens: input,
          cached_input_tokens: cached,
          output_tokens: output,
          reasoning_output_tokens: int(0, output),
          total_tokens: input + output,
        };
        total.input_tokens += input;
        total.cached_input_tokens += cached;
        total.output_tokens += output;
        total.reasoning_output_tokens += last.reasoning_output_tokens;
        total.total_tokens += input + output;
        const event = {
          timestamp: new Date(t + 2000).toISOString(),
          type: 'event_msg',
          payload: {
            type: 'token_count',
            info: { total_token_usage: { ...total }, last_token_usage: last, model_context_window: 258400 },
            rate_limits: null,
          },
        };
        out.push(JSON.stringify(event));
        if (random() < 0.5) out.push(JSON.stringify({ ...event, timestamp: new Date(t + 2100).toISOString() }));
      }
      writeFile(join(dir, `rollout-${stamp}-${uuid()}.jsonl`), out);
      stats.rollouts++;
    }
  }
  return { ...stats, bytes: written };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [home, megabytes = '20', seed = '1'] = process.argv.slice(2);
  if (!home) {
    console.error('usage: node test/bench/usage-corpus.mjs <home> [megabytes] [seed]');
    process.exit(2);
  }
  console.log(JSON.stringify(generateCorpus(home, { megabytes: Number(megabytes), seed: Number(seed) })));
}
