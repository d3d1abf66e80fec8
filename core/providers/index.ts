/**
 * Every provider Headroom knows, in display order.
 */
import type { ProviderDefinition } from '../provider.js';
import { claudeProvider } from './claude.js';
import { codexProvider } from './codex.js';
import { geminiProvider } from './gemini.js';

/** Claude, Codex, then Gemini: the order of the dropdown sections and the default title. */
export const PROVIDERS: readonly ProviderDefinition[] = [claudeProvider, codexProvider, geminiProvider];
