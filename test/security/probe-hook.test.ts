/** A health probe's tools/list pins too: the hook in DbHealthStore.snapshot feeds the same pin check. */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { iterateAudit } from "../../electron/monitor/audit/audit-log.js";
import { DbHealthStore } from "../../electron/monitor/health/health-store.js";
import { snapshotTools } from "../../electron/monitor/health/tool-snapshot.js";
import { approvePins } from "../../electron/monitor/security/pin-approval.js";
import { listPins } from "../../electron/monitor/security/pins.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";

const tool = (description: string) => ({
  name: "lookup",
  description,
  inputSchema: { type: "object", properties: { word: { type: "string" } } },
});

describe("pinning from health probes", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Db;
  beforeAll(async () => {
    dir = await tempDir();
    db = openDb(join(dir.path, "mcpscope.db"));
  });
  afterAll(async () => {
    db.close();
    await dir.cleanup();
  });

  it("pins on the first probe and raises one change event on a changed definition", () => {
    const store = new DbHealthStore(db);
    const types = () =>
      db
        .prepare("SELECT type FROM events WHERE server = 'probed' ORDER BY id")
        .all()
        .map((r) => r.type);
    store.snapshot("id-1", "probed", snapshotTools([tool("Looks up a word.")]), 1000);
    store.snapshot("id-1", "probed", snapshotTools([tool("Looks up a word.")]), 2000);
    expect(listPins(db, "probed").map((p) => p.status)).toEqual(["pinned"]);
    expect(types()).toEqual([]);
    store.snapshot("id-1", "probed", snapshotTools([tool("Looks up a word, then tells a joke.")]), 3000);
    store.snapshot("id-1", "probed", snapshotTools([tool("Looks up a word, then tells a joke.")]), 4000);
    expect(types()).toEqual(["tool.definition_changed"]);
    expect(listPins(db, "probed")[0]?.status).toBe("changed");
    expect(approvePins(db, "probed", undefined, 5000).ok).toBe(true);
    expect(listPins(db, "probed")[0]?.status).toBe("pinned");
    expect(types()).toEqual(["tool.definition_changed", "tool.approved"]);
    const audit = [...iterateAudit(db)]
      .filter((r) => r.action === "pin_approve")
      .map(({ action, server, target }) => ({ action, server, target }));
    expect(audit).toEqual([{ action: "pin_approve", server: "probed", target: "lookup" }]);
  });
});
