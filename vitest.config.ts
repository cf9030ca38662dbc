import { defineConfig } from "vitest/config";
import { useCompileCache } from "./test/helpers/compile-cache.js";
import { ramTmpDir } from "./test/helpers/ram-tmpdir.js";

// Before any worker, server or browser starts, so that all of them make their temporary folders there.
const ramTmp = ramTmpDir();
if (ramTmp) process.env.TMPDIR = ramTmp;
useCompileCache();

/**
 * Folders whose files run one after another in a worker that keeps the modules it loaded, rather than a
 * fresh worker each: starting a worker and importing again for each small file cost more than the tests.
 * Their tests keep no state in modules (each opens its own data dir, servers and clocks) and restore any
 * global they change. A folder joins once a run of it alone, so shared, passes as it does isolated.
 */
const SHARED = [
  "test/renderer",
  "test/metrics",
  "test/electron",
  "test/cli",
  "test/alerts",
  "test/monitor",
  "test/store",
  "test/logs",
  "test/reports",
  "test/discovery",
  "test/api",
  "test/instrument",
  "test/inventory",
  "test/security",
  "test/audit",
  "test/events",
  "test/health",
  "test/supervisor",
  "test/resources",
  "test/docs",
  "test/e2e",
].map((folder) => `${folder}/**/*.test.ts`);
/**
 * Files in those folders that replace a module (vi.mock) or run under a process-wide setting (a time zone
 * the formats are made in or the CLI runs in, a umask, the environment): a fresh worker each, so what they
 * change reaches no other file.
 */
const OWN_WORKER = [
  "test/electron/preload.test.ts",
  "test/renderer/counted-note.test.ts",
  "test/cli/times-paste-back.test.ts",
  "test/store/owner-only.test.ts",
  "test/discovery/discovery-env.test.ts",
  "test/instrument/pick-entry.test.ts",
];
/**
 * The UI tests in real Chromium: one browser for the run, which their project launches (chromium-server.ts).
 * Like SHARED, their files keep no state in modules and mock nothing, so a worker keeps what it imported
 * (playwright-core, the SDK, the engine's store) from one file to the next.
 */
const UI = "test/ui/**/*.test.ts";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end tests spawn real servers; two cores here, so keep parallelism modest. A third worker
    // fills the time a worker spends between files (importing the next one): with two, one core ran a
    // single file for about a third of the run.
    maxWorkers: 3,
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: SHARED,
          exclude: OWN_WORKER,
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "isolated",
          include: ["test/**/*.test.ts"],
          exclude: [...SHARED, UI],
        },
      },
      {
        extends: true,
        test: { name: "ui", include: [UI], isolate: false, globalSetup: ["test/ui/chromium-server.ts"] },
      },
      { extends: true, test: { name: "own-worker", include: OWN_WORKER } },
    ],
  },
});
