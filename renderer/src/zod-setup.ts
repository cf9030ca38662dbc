// Imported first by main.ts, before any zod schema is built. Zod's fast path compiles parsers with
// `new Function`; under our CSP (no 'unsafe-eval') even its guarded probe is reported as a violation.
import { config } from "zod";

config({ jitless: true });
