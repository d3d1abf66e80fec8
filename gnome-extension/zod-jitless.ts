/**
 * Imported first by every GNOME entry point (extension.js, prefs.js, usage-worker.js): zod never generates code in
 * GNOME's processes. Without it, core/parse.ts `fastObject` has zod compile its object parsers with `new Function`
 * (about twice as fast on a cold scan of the logs); with it they run zod/mini's plain loop, as every other schema does.
 */
import * as z from 'zod/mini';

z.config({ jitless: true });
