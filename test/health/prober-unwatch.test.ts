/**
 * A probe under way when its server is stopped on purpose (unwatched): what it finds about a server going
 * away is not recorded, so the stop's mark stays the last word and no alert fires on it.
 */
import { describe, expect, it } from "vitest";
import type { HealthCheck, HealthStore } from "../../electron/monitor/health/health-store.js";
import type { ProbeResult } from "../../electron/monitor/health/probe.js";
import { Prober } from "../../electron/monitor/health/prober.js";
import { waitFor } from "../helpers/mcp.js";
import { stdioTarget } from "../supervisor/helpers.js";

describe("a probe under way when the server is unwatched", () => {
  it("is not recorded, and changes no state", async () => {
    const recorded: HealthCheck[] = [];
    const events: string[] = [];
    const store: HealthStore = { record: (c) => recorded.push(c), snapshot: () => false };
    let finish: (result: ProbeResult) => void = () => {};
    let started = 0;
    const prober = new Prober({
      sink: { event: (e) => events.push(e.type), log: () => {} },
      store,
      intervalMs: 60_000,
      policy: { downAfter: 1 },
      probe: () => {
        started++;
        return new Promise((resolve) => {
          finish = resolve;
        });
      },
    });
    const target = stdioTarget("going", process.execPath, []);
    prober.watch(target);
    await waitFor(() => started === 1);
    prober.unwatch(target.definition.id);
    finish({
      outcome: "failed",
      managed: true,
      era: null,
      protocolVersion: null,
      serverName: null,
      serverVersion: null,
      handshakeMs: null,
      pingMs: null,
      listMs: null,
      tools: null,
      error: "not running (stopping)",
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorded).toEqual([]);
    expect(events).toEqual([]);
    expect(prober.health(target.definition.id)).toBeNull();
    prober.close();
  });
});
