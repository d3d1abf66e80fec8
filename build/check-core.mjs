// Refuses platform imports in core/: core must run unchanged under GJS and Node, so it may import only its own
// files and zod. Run by build.mjs before bundling; also importable by tests.
import { builtinModules } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ALLOWED_PACKAGES = ['zod'];
// `… from 'x'` (also the last line of a multi-line import), `import 'x'` and `import('x')`.
const SPECIFIER = /\bfrom\s*['"]([^'"\s]+)['"]|\bimport\s*(?:\(\s*)?['"`]([^'"`]+)['"`]/g;

function* typescriptFiles(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* typescriptFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** Why one import specifier is not allowed in core/, or null when it is fine. */
export function forbiddenReason(specifier, fromFile, coreDir) {
  if (/^(node:|gi:|resource:)/.test(specifier)) return 'platform module';
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(fromFile), specifier);
    return relative(coreDir, target).startsWith('..') ? 'reaches outside core/' : null;
  }
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  if (builtinModules.includes(name)) return 'Node built-in';
  return ALLOWED_PACKAGES.includes(name) ? null : 'package not allowed in core/';
}

/** Lists every forbidden import under coreDir as "file:line: specifier (reason)". */
export function checkCore(coreDir) {
  const problems = [];
  for (const file of typescriptFiles(coreDir)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      for (const match of line.matchAll(SPECIFIER)) {
        const specifier = match[1] ?? match[2];
        const reason = forbiddenReason(specifier, file, coreDir);
        if (reason) problems.push(`${relative(process.cwd(), file)}:${index + 1}: ${specifier} (${reason})`);
      }
    });
  }
  return problems;
}
