/**
 * system.info tells the truth about the engine's own losses: a batch its writer could not store shows up
 * as a write failure, the figure the app's status bar prints.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { SystemInfo } from "../../shared/domain.js";
import { tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
beforeAll(async () => {
  dir = await tempDir();
  engine = await createEngine({ dataDir: dir.path, inventory: false });
});
afterAll(async () => {
  await engine.close();
  await dir.cleanup();
});

const info = async () => (await engine.invoke("system.info", {})) as SystemInfo;

describe("system.info", () => {
  it("counts the writes the engine's writer failed, a part that failed alone included", async () => {
    expect((await info()).writeFailures).toBe(0);
    // Another process breaks the audit table's inserts; the engine audits a silence through its writer.
    const other = openDb(databasePath(dir.path));
    other.exec(
      "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_links BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    other.close();
    await engine.invoke("alerts.silence", {
      matchers: [{ name: "alertname", op: "=", value: "x" }],
      duration: "1h",
    });
    const failed = await waitFor(async () => {
      const now = await info();
      return now.writeFailures > 0 && now;
    });
    expect(failed.writeFailures).toBeGreaterThan(0);
  });
});
