/**
 * A mistake in alerts.yaml keeps the last version that loaded in effect, for every process: after a
 * restart of the engine, and for the CLI, which lists the same rules and tests the same channels the
 * engine delivers to, saying in one line that the file has a mistake.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import type { Db } from "../../electron/monitor/store/db.js";
import type { RulesDocument } from "../../shared/alerts.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir, waitFor } from "../helpers/mcp.js";
import { startServe } from "../ui/browser.js";
import {
  CapturingChannel,
  evaluate,
  harness,
  openStore,
  VirtualClock,
  writeAlerts,
} from "./alert-fixtures.js";
import { type Receiver, startReceiver } from "./channels-fixtures.js";

const MINUTE = 60_000;
const rules = (url: string) => `evaluation_interval: 1m
rules:
  - { name: flaky-errors, kind: metric, signal: error_rate, by: [server], threshold: 20%, severity: critical }
channels:
  - { name: ops, type: webhook, url: "${url}/hook", secret: "hook-secret-7788" }
routes:
  - { matchers: [severity=critical], channels: [ops], group_wait: 0s }
`;
const breakIt = (dir: string) => {
  const path = join(dir, "alerts.yaml");
  writeFileSync(path, readFileSync(path, "utf8").replace("threshold: 20%", "threshold: lots"));
};

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
let receiver: Receiver;
beforeEach(async () => {
  dir = await tempDir();
  db = openStore(dir.path);
  receiver = await startReceiver();
  writeAlerts(dir.path, rules(receiver.url));
});
afterEach(async () => {
  db.close();
  await receiver.close();
  await dir.cleanup();
});

describe("the last good alerts config", () => {
  it("stays in effect across an engine restart with a broken file, and is kept owner-only", async () => {
    const clock = new VirtualClock();
    const series = new SeriesSignalSource(
      [{ signal: "error_rate", labels: { server: "flaky" }, values: Array(10).fill(1) }],
      MINUTE,
      clock.t,
    );
    const first = harness(dir.path, db, clock, series, { ops: new CapturingChannel("ops") });
    first.manager.close();
    breakIt(dir.path);

    const ops = new CapturingChannel("ops");
    const restarted = harness(dir.path, db, clock, series, { ops });
    await evaluate(restarted, clock);
    expect(ops.got.map((n) => n.title)).toEqual(["[FIRING:1] flaky-errors server=flaky"]);
    const doc = restarted.manager.queries.rules();
    expect([doc.inEffect, doc.problem]).toEqual(["last-good", expect.stringContaining("alerts.yaml:3:")]);
    expect(restarted.events.map((e) => e.type)).toContain("alert.rules_invalid");
    restarted.manager.close();
    if (process.platform !== "win32")
      expect(statSync(join(dir.path, "alerts.last-good.yaml")).mode & 0o777).toBe(0o600);
  });

  it("is what the CLI lists and tests while the file is broken", async () => {
    expect((await cliInProcess(["alerts", "rules", "--data-dir", dir.path])).status).toBe(0);
    breakIt(dir.path);

    const listed = await cliInProcess(["alerts", "rules", "--data-dir", dir.path]);
    expect(listed.stdout).toContain("flaky-errors");
    expect(listed.stdout).toMatch(
      /alerts\.yaml has a mistake; its last good rules, channels and routes stay in effect: alerts\.yaml:3: /,
    );
    expect(listed.stderr).toBe("");
    const json = JSON.parse(
      (await cliInProcess(["alerts", "rules", "--json", "--data-dir", dir.path])).stdout,
    );
    expect((json.rules as RulesDocument["rules"]).map((r) => r.name)).toContain("flaky-errors");

    const test = await cliInProcess(["alerts", "test", "ops", "--data-dir", dir.path]);
    expect(test.status).toBe(0);
    expect(receiver.requests.map((r) => r.url)).toEqual(["/hook"]);
    expect(test.stderr).toMatch(/has a mistake|stay in effect/);
  });

  it("is said by mcpscope serve when it starts on a broken file", async () => {
    expect((await cliInProcess(["alerts", "rules", "--data-dir", dir.path])).status).toBe(0);
    breakIt(dir.path);
    const serve = await startServe(dir.path);
    try {
      await waitFor(() => serve.output().includes("has a mistake"));
      expect(serve.output()).toMatch(
        /alerts\.yaml has a mistake; its last good rules, channels and routes stay in effect: alerts\.yaml:3: /,
      );
    } finally {
      await serve.stop();
    }
  });

  it("is the built-ins when no version of the file ever loaded, and says so", async () => {
    breakIt(dir.path);
    const listed = await cliInProcess(["alerts", "rules", "--data-dir", dir.path]);
    expect(listed.stdout).not.toContain("flaky-errors");
    expect(listed.stdout).toContain(
      "has a mistake; none of its versions has loaded, so only the built-in rules and the desktop channel are in effect",
    );
  });
});
