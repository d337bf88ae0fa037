import { z } from 'zod';

// zod probes for eval with `new Function("")` on first use, which the strict CSP refuses (and reports as a
// violation). Imported first by every entry point (main.tsx, the analytics worker): modules evaluate in import
// order, and some model modules parse with zod as they load (DEFAULT_PROGRAM), before an entry's own body runs.
z.config({ jitless: true });
