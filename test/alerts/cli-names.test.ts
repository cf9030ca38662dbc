/**
 * `mcpscope alerts` from the command line: inhibited pending alerts are marked as firing ones are, and a
 * `--rule` or `--server` that names nothing known is said to be unknown (exit 1, one line, the known
 * names) rather than answered with an empty list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { evaluate, harness, openStore, VirtualClock, writeAlerts } from "./alert-fixtures.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
  writeAlerts(
    dir.path,
    `rules:
  - { name: crit, kind: metric, signal: error_rate, by: [server], threshold: 50%, severity: critical }
  - { name: warn, kind: metric, signal: error_rate, by: [server], threshold: 50%, for: 10m, severity: warning }
`,
  );
  const db = openStore(dir.path);
  const source = {
    sample: (rule: { name: string }) =>
      rule.name === "crit" || rule.name === "warn" ? [{ labels: { server: "files" }, value: 0.9 }] : [],
  };
  const h = harness(dir.path, db, new VirtualClock(Date.now() - 60_000), source);
  await evaluate(h, new VirtualClock(Date.now() - 60_000));
  h.manager.close();
  db.close();
});
afterAll(async () => {
  await dir.cleanup();
});

const run = (...args: string[]) => cliInProcess(["alerts", ...args, "--data-dir", dir.path]);

describe("mcpscope alerts", () => {
  it("marks an inhibited pending alert, as it marks an inhibited firing one", async () => {
    const { status, stdout } = await run();
    expect(status).toBe(0);
    const rows = stdout.split("\n");
    expect(rows.find((r) => r.includes(" crit "))).toMatch(/^firing /);
    expect(rows.find((r) => r.includes(" warn "))).toMatch(/^pending \(inhibited\) /);
  });

  it("says an unknown rule or server is unknown, naming the known ones", async () => {
    const rule = await run("history", "--rule", "nosuch");
    expect([rule.status, rule.stdout]).toEqual([1, ""]);
    expect(rule.stderr).toMatch(/^mcpscope alerts: no rule named "nosuch"; known: .*\bcrit, .*\bwarn\b/);
    expect(rule.stderr.trim().split("\n")).toHaveLength(1);
    for (const args of [
      ["--server", "nosuch"],
      ["history", "--server", "nosuch"],
    ]) {
      const server = await run(...args);
      expect(server.status).toBe(1);
      expect(server.stderr.trim()).toBe(
        'mcpscope alerts: no server named "nosuch" has recorded calls or alerts; known: files',
      );
    }
    // Known names with nothing to show are an empty answer, as before.
    const quiet = await run("history", "--rule", "crit", "--since", "1s");
    expect([quiet.status, quiet.stdout]).toEqual([0, "no alert changes in that range\n"]);
  });

  it("rules lists each rule's condition, with the minimum of calls a built-in needs", async () => {
    const { status, stdout } = await run("rules");
    expect(status).toBe(0);
    expect(stdout.split("\n").find((r) => r.startsWith("slow-tool "))).toMatch(
      / warning +enabled +built in +latency_p95 > 5\.0 s over 5 min by server, tool with at least 5 calls for 2 min$/,
    );
    expect(stdout.split("\n").find((r) => r.startsWith("warn "))).toMatch(
      / yours +error_rate > 50% over 5 min/,
    );
    const json = JSON.parse((await run("rules", "--json")).stdout) as {
      rules: { name: string; condition: string }[];
      problem: string | null;
    };
    expect(json.problem).toBeNull();
    expect(json.rules.find((r) => r.name === "tool-error-rate")?.condition).toContain(
      "with at least 5 calls",
    );
  });

  it("shows --limit in the usage line for history", async () => {
    const { stdout } = await run("--help");
    expect(stdout).toContain(
      "mcpscope alerts history [--since 24h] [--rule NAME] [--server NAME] [--limit N] [--json]",
    );
  });
});
