/**
 * A desktop notification reads as the tray does: one alert by its summary, a group by its count and rule,
 * while webhooks, Slack and email keep the Alertmanager-style title (`[FIRING:3] crashed`).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DesktopNotification } from "../../shared/alerts.js";
import { tempDir } from "../helpers/mcp.js";
import {
  CapturingChannel,
  evaluate,
  harness,
  openStore,
  VirtualClock,
  writeAlerts,
} from "./alert-fixtures.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

/** Fires the `crashed` rule for these servers, then resolves it; what the desktop and a webhook got. */
async function crash(name: string, servers: string[]) {
  const data = join(dir.path, name);
  mkdirSync(data);
  writeAlerts(
    data,
    `rules:
  - { name: crashed, kind: metric, signal: error_rate, by: [server], threshold: 10%, severity: warning, summary: "{{server}} crashed" }
  - { name: tool-error-rate, enabled: false }
channels:
  - { name: hook, type: webhook, url: "http://127.0.0.1:9/x" }
default_route: { channels: [desktop, hook], group_by: [alertname], group_wait: 0s, group_interval: 0s }
`,
  );
  const db = openStore(data);
  const clock = new VirtualClock();
  const hook = new CapturingChannel("hook");
  let failing = true;
  const source = {
    sample: (rule: { name: string }) =>
      failing && rule.name === "crashed" ? servers.map((server) => ({ labels: { server }, value: 1 })) : [],
  };
  const h = harness(data, db, clock, source, { hook });
  try {
    await evaluate(h, clock);
    failing = false;
    clock.advance(60_000);
    await evaluate(h, clock);
    return { desktop: h.desktop as unknown as DesktopNotification[], hook: hook.got };
  } finally {
    h.manager.close();
    db.close();
  }
}

describe("desktop notification wording", () => {
  it("one alert: its summary, then its severity, rule and labels; resolved says so", async () => {
    const { desktop, hook } = await crash("one", ["crasher"]);
    expect(desktop.map(({ status, title, body }) => ({ status, title, body }))).toEqual([
      { status: "firing", title: "crasher crashed", body: "warning · crashed · server=crasher" },
      { status: "resolved", title: "Resolved: crasher crashed", body: "warning · crashed · server=crasher" },
    ]);
    expect(hook.map((n) => n.title)).toEqual(["[FIRING:1] crashed", "[RESOLVED:1] crashed"]);
  });

  it("a group: how many, of which rule, and the first few summaries", async () => {
    const servers = ["a", "b", "c", "d", "e", "f"];
    const { desktop, hook } = await crash("group", servers);
    const [firing] = desktop;
    expect(firing?.title).toBe("6 alerts firing: crashed");
    expect(firing?.body.split("\n")).toEqual([
      ...["a", "b", "c", "d"].map((s) => `warning · ${s} crashed`),
      "… and 2 more",
    ]);
    expect(firing?.alertIds).toHaveLength(6);
    expect(desktop[1]?.title).toBe("6 alerts resolved: crashed");
    expect(hook[0]?.title).toBe("[FIRING:6] crashed");
  });
});
