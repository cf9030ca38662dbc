/**
 * A log rule watching for a leaked token: log lines are stored masked, so the rule matches the token's
 * masked form, and its condition line shows only that. Lines go through the real recording path.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ruleCondition } from "../../electron/monitor/alerts/rule-condition.js";
import { parseRuleYaml } from "../../electron/monitor/alerts/rule-file.js";
import { DbSignalSource } from "../../electron/monitor/alerts/signals.js";
import { MonitoringSystem } from "../../electron/monitor/monitoring-system.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { openStore } from "./alert-fixtures.js";

const TOKEN = "ghp_StdoutGhTokAb1234567890cdefghijKLMNO";
const BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.q7qwe";

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
beforeAll(async () => {
  dir = await tempDir();
  const system = MonitoringSystem.open(dir.path);
  system.logEvent({ level: "warning", message: `pushing with token ${TOKEN}` });
  system.logEvent({ level: "warning", message: "nothing secret here" });
  system.logEvent({ level: "error", message: `request failed: Authorization: Bearer ${BEARER}` });
  system.logEvent({ level: "error", message: "login refused: password=hunter2xyz" });
  system.flush();
  system.close();
  db = openStore(dir.path);
});
afterAll(async () => {
  db.close();
  await dir.cleanup();
});

describe("a log rule watching for a leaked secret", () => {
  const rule = () => parseRuleYaml(`{ name: leaked, kind: logs, match: "${TOKEN}" }`);

  it("fires on the line that leaked it, stored masked", () => {
    const stored = db
      .prepare("SELECT message FROM logs")
      .all()
      .map((r) => String(r.message));
    expect(stored.join("\n")).not.toContain(TOKEN);
    expect(new DbSignalSource(db).sample(rule(), Date.now() + 1000)).toEqual([
      { labels: { server: "mcpscope" }, value: 1 },
    ]);
  });

  it("shows the rule's condition with the token masked", () => {
    const condition = ruleCondition(rule());
    expect(condition).not.toContain(TOKEN);
    expect(condition).toContain("[masked:github-pat…LMNO]");
  });
});

describe("a log rule watching for where secrets go, not for a secret", () => {
  // Masking reads the word after a secret's name as its value; in a rule's `match` nothing follows it.
  for (const match of ["Authorization: Bearer", "password="])
    it(`fires on a line holding "${match}"`, () => {
      const rule = parseRuleYaml(`{ name: canary, kind: logs, match: "${match}" }`);
      expect(rule.match).toBe(match);
      expect(new DbSignalSource(db).sample(rule, Date.now() + 1000)).toEqual([
        { labels: { server: "mcpscope" }, value: 1 },
      ]);
    });

  it("never shows a secret written after its name in a match", () => {
    const rule = parseRuleYaml(`{ name: canary, kind: logs, match: "clientSecret: hunter2xyz" }`);
    expect(ruleCondition(rule)).not.toContain("hunter2xyz");
  });
});
