/**
 * Builds the shipped files once before the tests, so process tests run what a user runs.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, ['build/build.mjs'], { cwd: root, stdio: 'inherit' });
}
