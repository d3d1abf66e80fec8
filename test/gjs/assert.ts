/**
 * A minimal test harness for gjs: `test()` registers, `run()` runs in order, prints TAP lines (`1..N`, `ok 1 - name`,
 * `not ok 2 - name` followed by `# ` lines) and exits 1 when a test failed.
 */
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import System from 'system';

const tests: { name: string; fn: () => unknown }[] = [];

export function test(name: string, fn: () => unknown): void {
  tests.push({ name, fn });
}

export async function run(): Promise<void> {
  print(`1..${tests.length}`);
  let failed = 0;
  for (const [index, { name, fn }] of tests.entries()) {
    try {
      await fn();
      print(`ok ${index + 1} - ${name}`);
    } catch (error) {
      failed++;
      print(`not ok ${index + 1} - ${name}`);
      const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
      for (const line of text.trimEnd().split('\n')) print(`# ${line}`);
    }
  }
  System.exit(failed > 0 ? 1 : 0);
}

export class AssertionError extends Error {}

export function ok(value: unknown, message = 'expected a truthy value'): asserts value {
  if (!value) throw new AssertionError(message);
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Deep equality of JSON-like values. */
export function equal(actual: unknown, expected: unknown, message = ''): void {
  const [a, e] = [stable(actual), stable(expected)];
  if (a !== e) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${e}, got ${a}`);
}

/** Resolves with what `promise` rejected with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new AssertionError('expected a rejection');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
      resolve();
      return GLib.SOURCE_REMOVE;
    });
  });
}

/** An absolute path inside the repository (the bundled test runs from dist/gjs-tests/). */
export function repoPath(relative: string): string {
  const root = Gio.File.new_for_uri(import.meta.url)
    .get_parent()
    ?.get_parent()
    ?.get_parent();
  ok(root, 'repository root not found');
  return `${root.get_path() ?? ''}/${relative}`;
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return GLib.dir_make_tmp('headroom-gjs-XXXXXX');
}
