/**
 * `server-down` follows the inventory: a server that fails its probes fires it, and once the server is
 * removed nothing checks it any more, so its alert resolves at the next evaluation instead of firing on
 * its last health check for a day.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../electron/monitor/engine-types.js";
import type { AlertHistoryEntry, AlertInstance } from "../../shared/alerts.js";
import type { Inventory } from "../../shared/servers.js";
import { freePort } from "../helpers/http.js";
import { inventoryEngine } from "../helpers/inventory-engine.js";
import { waitFor } from "../helpers/mcp.js";

const fixture = inventoryEngine();
let engine: Engine;
beforeAll(() => {
  engine = fixture.engine;
});

const downAlerts = async () =>
  ((await engine.invoke("alerts.list", { status: "firing" })) as AlertInstance[]).filter(
    (a) => a.rule === "server-down",
  );

describe("server-down after the server is removed", () => {
  it("fires while the server fails its probes, and resolves once it is removed", async () => {
    // Nothing listens on this port: every probe is refused.
    const port = await freePort();
    await engine.invoke("servers.add", {
      name: "gone",
      transport: "http",
      url: `http://127.0.0.1:${port}/mcp`,
    });
    const firing = await waitFor(async () => {
      const alerts = await downAlerts();
      return alerts.length ? alerts : undefined;
    });
    expect(firing.map((a) => a.labels.server)).toEqual(["gone"]);

    const inventory = (await engine.invoke("servers.inventory", {})) as Inventory;
    const id = inventory.servers.find((s) => s.name === "gone")?.id as string;
    await engine.invoke("servers.remove", { id });
    await waitFor(async () => ((await downAlerts()).length === 0 ? true : undefined));
    const history = (await engine.invoke("alerts.history", { rule: "server-down" })) as AlertHistoryEntry[];
    expect(history.map((h) => `${h.labels.server} ${h.to}`)[0]).toBe("gone resolved");
  });
});
