/**
 * When the engine checks the database: at open only after an unclean close (no marker left by the last
 * engine to close) or when the last check found damage; otherwise in the background, where damage is
 * reported as an error event and in storage.info, and the next start checks at open and moves the file
 * aside. Real files, real engines, damaged pages written into the file.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, writeFileSync, writeSync } from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { databasePath } from "../../electron/monitor/paths.js";
import type { EventRecord } from "../../shared/events.js";
import type { StorageInfo } from "../../shared/storage.js";
import { tempDir, waitFor } from "../helpers/mcp.js";
import { seedLogRows } from "../helpers/seed-database.js";
import { readWorkerBundle } from "../helpers/worker-bundle.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
// Background checks run only on a read worker: the real one, bundled.
let quiet: { inventory: false; alerts: false; remoteProxies: false; readPool: { workerUrl: URL } };
beforeAll(async () => {
  dir = await tempDir();
  quiet = {
    inventory: false,
    alerts: false,
    remoteProxies: false,
    readPool: { workerUrl: await readWorkerBundle(dir.path) },
  };
});
afterAll(() => dir.cleanup());

const MARKER = "db-clean-close";
// A clock two days on: the check recorded at open is then due again, so the background one runs at once.
const checkNow = { delayMs: 0, now: () => Date.now() + 2 * 86_400_000 };

/** Two pages in the middle of the logs table overwritten; the header and schema stay readable. */
function damagePages(dataDir: string): void {
  const fd = openSync(databasePath(dataDir), "r+");
  // Inside the file (3000 rows of 200 bytes fill far more than 42 pages), so nothing is appended.
  expect(fstatSync(fd).size).toBeGreaterThan(60 * 4096);
  // No valid page type starts with 0xff: a check that reads these pages always finds them.
  writeSync(fd, Buffer.alloc(2 * 4096, 0xff), 0, 2 * 4096, 40 * 4096);
  closeSync(fd);
}

const info = async (engine: { invoke(m: string, i: unknown): Promise<unknown> }) =>
  (await engine.invoke("storage.info", {})) as StorageInfo;
const asideFiles = (dataDir: string) =>
  readdirSync(dataDir).filter((f) => /^mcpscope\.db\.corrupt-[\dTZ-]+$/.test(f));

describe("the database check", () => {
  it("runs at open after an unclean close, is skipped after a clean one, and finds damage in the background", async () => {
    const dataDir = join(dir.path, "background");
    seedLogRows(dataDir);

    // No marker (as after a crash): checked at open, recorded as such; the marker appears at close only.
    const first = await createEngine({ dataDir, ...quiet });
    try {
      expect(existsSync(join(dataDir, MARKER))).toBe(false);
      expect((await info(first)).lastCheck).toMatchObject({ when: "start", ok: true, problems: [] });
    } finally {
      await first.close();
    }
    expect(existsSync(join(dataDir, MARKER))).toBe(true);

    // Damage appears while nothing runs; the clean close lets the next start open without reading every page.
    damagePages(dataDir);
    const second = await createEngine({ dataDir, ...quiet, integrityCheck: checkNow });
    try {
      expect(asideFiles(dataDir)).toEqual([]);
      expect(existsSync(join(dataDir, MARKER))).toBe(false);
      const event = await waitFor(async () => {
        const events = (await second.invoke("events.list", { category: "error" })) as EventRecord[];
        return events.find((e) => e.type === "storage.check_failed");
      });
      expect(event.severity).toBe("critical");
      expect(event.message).toMatch(/found damage .*restart the app or `mcpscope serve` to move it aside/);
      const last = (await info(second)).lastCheck;
      expect(last?.when).toBe("background");
      expect(last?.ok).toBe(false);
      expect(last?.problems.length).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
    // Damage found: no marker, so the next start checks at open and moves the file aside.
    expect(existsSync(join(dataDir, MARKER))).toBe(false);

    const third = await createEngine({ dataDir, ...quiet });
    try {
      expect(asideFiles(dataDir)).toHaveLength(1);
      const now = await info(third);
      expect(now.recovery?.movedTo).toBe(join(dataDir, asideFiles(dataDir)[0] ?? ""));
      expect(now.lastCheck).toBeNull();
    } finally {
      await third.close();
    }
  });

  it("a restore in the app forgets what the last check found about the file it replaced", async () => {
    const dataDir = join(dir.path, "restored");
    seedLogRows(dataDir);
    const engine = await createEngine({ dataDir, ...quiet });
    try {
      const backup = (await engine.invoke("storage.backup", {})) as { file: string };
      writeFileSync(
        join(dataDir, "db-check.json"),
        JSON.stringify({
          time: Date.now(),
          when: "background",
          ok: false,
          problems: ["page 41 is never used"],
        }),
      );
      expect((await info(engine)).lastCheck?.ok).toBe(false);
      const restored = (await engine.invoke("storage.restore", { name: basename(backup.file) })) as {
        ok: boolean;
      };
      expect(restored.ok).toBe(true);
      expect((await info(engine)).lastCheck).toBeNull();
    } finally {
      await engine.close();
    }
    // Nothing wrong is known any more: the next start may open without the check.
    expect(existsSync(join(dataDir, MARKER))).toBe(true);
  });

  it("a check that passes in the background is recorded; the marker waits for the last engine to close", async () => {
    const dataDir = join(dir.path, "two-engines");
    seedLogRows(dataDir);
    const a = await createEngine({ dataDir, ...quiet, integrityCheck: checkNow });
    const b = await createEngine({ dataDir, ...quiet });
    try {
      const last = await waitFor(async () => {
        const check = (await info(a)).lastCheck;
        return check?.when === "background" ? check : undefined;
      });
      expect(last).toMatchObject({ ok: true, problems: [] });
    } finally {
      await a.close();
      expect(existsSync(join(dataDir, MARKER))).toBe(false);
      await b.close();
    }
    expect(existsSync(join(dataDir, MARKER))).toBe(true);
  });
});
