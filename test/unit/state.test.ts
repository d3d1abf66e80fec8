import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Memory } from '../../core/refresh.js';
import { STATE_FILE, loadState, saveState, stateDirectory } from '../../swiftbar-plugin/state.js';
import { emptyState } from '../../core/session.js';

const saveMemory = (directory: string, memory: Memory): Promise<void> =>
  saveState(directory, { ...emptyState(), memory });
const loadMemory = async (directory: string): Promise<Memory> => (await loadState(directory)).memory;

/** Lets a test make the final rename fail, as on a full or read-only disk. */
const control = vi.hoisted(() => ({ failRename: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      if (control.failRename) throw Object.assign(new Error(`ENOSPC: no space left on device`), { code: 'ENOSPC' });
      return actual.rename(from, to);
    },
  };
});

const T = Date.UTC(2026, 10, 22, 5, 0, 0);

const MEMORY: Memory = {
  claude: {
    sources: {
      api: {
        lastAttemptAt: T,
        lastGood: {
          source: 'api',
          capturedAt: T - 60_000,
          plan: 'Max 20x',
          windows: [
            { id: 'session', label: 'Session (5 h)', usedPercent: 37, resetsAt: T + 3_600_000, windowMinutes: 300 },
          ],
          money: [],
        },
        lastFailure: {
          status: 'rate-limited',
          message: 'Anthropic is rate-limiting usage requests.',
          fix: '',
          retryAt: T + 300_000,
        },
      },
    },
  },
};

const OTHER: Memory = { codex: { sources: { logs: { lastAttemptAt: T, lastGood: null, lastFailure: null } } } };

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'headroom-state-'));
  control.failRename = false;
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('saveState and loadState', () => {
  it('round-trips the memory', async () => {
    await saveMemory(root, MEMORY);
    expect(await loadMemory(root)).toEqual(MEMORY);
  });

  it('replaces an earlier state', async () => {
    await saveMemory(root, MEMORY);
    await saveMemory(root, OTHER);
    expect(await loadMemory(root)).toEqual(OTHER);
  });

  it('writes the versioned document', async () => {
    await saveMemory(root, MEMORY);
    expect(JSON.parse(readFileSync(join(root, STATE_FILE), 'utf8'))).toEqual({
      version: 1,
      memory: MEMORY,
      alerts: emptyState().alerts,
    });
  });

  it('creates the directory 0700 and the file 0600', async () => {
    const directory = join(root, 'state', 'headroom');
    await saveMemory(directory, MEMORY);
    expect(mode(directory)).toBe(0o700);
    expect(mode(join(directory, STATE_FILE))).toBe(0o600);
  });

  it('tightens a state file that was readable by others', async () => {
    writeFileSync(join(root, STATE_FILE), '{}');
    chmodSync(join(root, STATE_FILE), 0o644);
    await saveMemory(root, MEMORY);
    expect(mode(join(root, STATE_FILE))).toBe(0o600);
  });

  it('leaves no temporary files behind', async () => {
    await saveMemory(root, MEMORY);
    await saveMemory(root, OTHER);
    expect(readdirSync(root)).toEqual([STATE_FILE]);
  });

  it('survives concurrent saves with one whole document', async () => {
    await Promise.all([saveMemory(root, MEMORY), saveMemory(root, OTHER), saveMemory(root, MEMORY)]);
    expect([MEMORY, OTHER]).toContainEqual(await loadMemory(root));
    expect(readdirSync(root)).toEqual([STATE_FILE]);
  });

  it('rejects when the target is a directory, leaving it and no temp file behind', async () => {
    mkdirSync(join(root, STATE_FILE));
    await expect(saveMemory(root, MEMORY)).rejects.toThrow();
    expect(readdirSync(root)).toEqual([STATE_FILE]);
    expect(statSync(join(root, STATE_FILE)).isDirectory()).toBe(true);
  });

  it('keeps the old file intact when the rename fails', async () => {
    await saveMemory(root, MEMORY);
    const before = readFileSync(join(root, STATE_FILE), 'utf8');
    control.failRename = true;
    await expect(saveMemory(root, OTHER)).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(join(root, STATE_FILE), 'utf8')).toBe(before);
    expect(await loadMemory(root)).toEqual(MEMORY);
    expect(readdirSync(root)).toEqual([STATE_FILE]);
  });

  it('rejects when the directory cannot be created', async () => {
    writeFileSync(join(root, 'file'), '');
    await expect(saveMemory(join(root, 'file', 'headroom'), MEMORY)).rejects.toThrow();
  });
});

describe('loadState', () => {
  it('gives an empty memory for a missing directory or file', async () => {
    expect(await loadMemory(join(root, 'nowhere'))).toEqual({});
    expect(await loadMemory(root)).toEqual({});
  });

  it.each([
    ['a truncated file', '{"version":1,"memory":{"claude":'],
    ['an empty file', ''],
    ['binary junk', '\u0000\u0001\u0002'],
    ['a newer version with no memory', '{"version":2,"memory":{}}'],
    ['a version below 1', '{"version":0,"memory":{"claude":{"sources":{}}}}'],
    ['a memory that is not an object', '{"version":1,"memory":[1]}'],
  ])('gives an empty memory for %s without throwing', async (_name, text) => {
    writeFileSync(join(root, STATE_FILE), text);
    await expect(loadMemory(root)).resolves.toEqual({});
  });

  it('gives an empty memory when the state file is a directory', async () => {
    mkdirSync(join(root, STATE_FILE));
    await expect(loadMemory(root)).resolves.toEqual({});
  });
});

describe('stateDirectory', () => {
  const HOME = '/Users/dev';

  it("prefers SwiftBar's plugin data path", () => {
    expect(
      stateDirectory({ SWIFTBAR_PLUGIN_DATA_PATH: '/Users/dev/Library/SwiftBar/data', XDG_STATE_HOME: '/xdg' }, HOME),
    ).toBe('/Users/dev/Library/SwiftBar/data');
  });

  it('then uses $XDG_STATE_HOME/headroom', () => {
    expect(stateDirectory({ XDG_STATE_HOME: '/xdg/state' }, HOME)).toBe('/xdg/state/headroom');
  });

  it('else ~/.local/state/headroom', () => {
    expect(stateDirectory({}, HOME)).toBe('/Users/dev/.local/state/headroom');
  });

  it('treats empty variables as unset', () => {
    expect(stateDirectory({ SWIFTBAR_PLUGIN_DATA_PATH: '', XDG_STATE_HOME: '' }, HOME)).toBe(
      '/Users/dev/.local/state/headroom',
    );
  });
});
