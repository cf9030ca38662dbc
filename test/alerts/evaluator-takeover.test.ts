/**
 * Two engines on one data dir: the app's engine host (a real child process, dist/) evaluates the alert
 * rules; once it is killed outright (SIGKILL: nothing released), the other engine evaluates at its next
 * evaluation, as it takes over running the servers, rather than once the dead engine's 30 s lease runs
 * out. The lease names its engine (pid, start ticks), as the supervision lease does.
 */
import { afterEach, describe, expect, it } from "vitest";
import { getMeta } from "../../electron/monitor/alerts/alert-store.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { insertEvent } from "../../electron/monitor/events/tracker.js";
import { createApiClient } from "../../shared/api.js";
import { forkEngineHost } from "../helpers/engine-host.js";
import { tempDir, waitFor } from "../helpers/mcp.js";
import { openStore, writeAlerts } from "./alert-fixtures.js";

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The evaluation lease's owner as stored, or null. */
function leaseOwner(db: ReturnType<typeof openStore>): string | null {
  const text = getMeta(db, "evaluator");
  return text === null ? null : String((JSON.parse(text) as { owner: unknown }).owner);
}

describe("the evaluation lease of an engine that was killed", () => {
  it("is taken over at the other engine's next evaluation, well inside the lease", async () => {
    const data = await tempDir();
    const home = await tempDir();
    cleanups.push(data.cleanup, home.cleanup);
    writeAlerts(
      data.path,
      `evaluation_interval: 200ms
rules:
  - { name: probe, kind: event, type: probe.fired, window: 1h, severity: warning, summary: "probe on {{server}}" }
`,
    );
    const db = openStore(data.path);
    cleanups.push(() => db.close());

    const host = forkEngineHost(data.path, home.path);
    cleanups.push(() => {
      if (host.child.exitCode === null && host.child.signalCode === null) host.child.kill("SIGKILL");
    });
    const hostPid = host.child.pid as number;
    await waitFor(() => leaseOwner(db)?.startsWith(`${hostPid}-`));

    const other: Engine = await createEngine({
      dataDir: data.path,
      inventory: false,
      readPool: false,
      alerts: { tickMs: 50 },
    });
    cleanups.push(() => other.close());
    const api = createApiClient(other);
    // It follows the host's evaluation and does not take the lease while the host runs.
    insertEvent(db, {
      category: "system",
      type: "probe.fired",
      severity: "medium",
      message: "probe",
      server: "a",
    });
    await waitFor(async () => (await api.call("alerts.list", {})).some((a) => a.state === "firing"));
    expect(leaseOwner(db)?.startsWith(`${hostPid}-`)).toBe(true);
    // The host's lease before the kill: a takeover by its expiry would come no sooner than its end (the
    // host renews it at each evaluation, so the lease it leaves ends later still).
    const deadUntil = Number((JSON.parse(getMeta(db, "evaluator") ?? "{}") as { until?: unknown }).until);

    host.child.kill("SIGKILL");
    await host.exited;
    // Its own evaluations now: a second server's alert fires here, with no engine left to follow.
    await waitFor(() => leaseOwner(db)?.startsWith(`${process.pid}-`));
    insertEvent(db, {
      category: "system",
      type: "probe.fired",
      severity: "medium",
      message: "probe",
      server: "b",
    });
    await waitFor(async () =>
      (await api.call("alerts.list", {})).some((a) => a.state === "firing" && a.labels.server === "b"),
    );
    // Taken over, and the alert fired, before the dead engine's 30 s lease would have run out: not by its
    // expiry. A bound from the product's rule rather than a count of seconds, which a loaded machine's
    // slow steps (an engine's evaluations, the test's reads) could use up on their own.
    expect(Date.now()).toBeLessThan(deadUntil);
  });
});
