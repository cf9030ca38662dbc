/**
 * `mcpscope audit verify` and `audit export` on a real database file: an intact chain passes; editing a
 * record's target, outcome or time, deleting a record or breaking a batch link, with node:sqlite, names
 * the first broken record; JSON lines
 * and CSV exports round-trip every field. Admin actions from instrument/uninstrument join the same chain.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { withStoreApi } from "../../electron/cli/api-client.js";
import { AUDIT_COLUMNS, iterateAudit, recordAdminAction } from "../../electron/monitor/audit/audit-log.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { iso } from "../../electron/monitor/time.js";
import { AuditRecordSchema } from "../../shared/audit.js";
import { cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { copyFixture } from "../instrument/helpers.js";
import { type AuditRow, dbFile, mcpscopeRun, parseCsv, readAudit, tamper } from "./helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

const T0 = Date.parse("2026-11-20T10:00:00Z");

/** A data dir whose audit log holds `n` call-like and admin records with awkward text in them. */
async function seeded(n = 6): Promise<string> {
  const dir = await tempDir("mcpscope-audit-");
  cleanups.push(dir.cleanup);
  const db = openDb(dbFile(dir.path));
  try {
    for (let i = 0; i < n; i++) {
      recordAdminAction(db, {
        action: i % 2 ? "settings_change" : "pin_approve",
        actor: `user ${i}`,
        server: i === 3 ? 'srv, with "quotes"' : `srv-${i}`,
        target: i === 4 ? "line one\nline two" : `tool-${i}`,
        details: {
          i,
          note: 'comma, "quote"\r\nnewline',
          token: "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
        },
        time: T0 + i * 3_600_000,
      });
    }
  } finally {
    db.close();
  }
  return dir.path;
}

describe("mcpscope audit verify", () => {
  it("passes an intact chain and masks secrets in details", async () => {
    const dir = await seeded();
    expect(await mcpscopeRun(["audit", "verify", "--data-dir", dir])).toMatchObject({
      code: 0,
      stdout: "6 records, chain intact\n",
    });
    const rows = readAudit(dir);
    expect(JSON.stringify(rows)).not.toContain("ghp_0123456789abcdefghijklmnopqrstuvwxyzAB");
  });

  it("passes an empty log", async () => {
    const dir = await tempDir("mcpscope-audit-");
    cleanups.push(dir.cleanup);
    openDb(dbFile(dir.path)).close();
    expect(await mcpscopeRun(["audit", "verify", "--data-dir", dir.path])).toMatchObject({
      code: 0,
      stdout: "0 records, chain intact\n",
    });
  });

  it.each([
    [
      "target",
      "UPDATE audit_subjects SET target = 'something-else' WHERE id = (SELECT subject FROM audit_records WHERE id = 3)",
    ],
    ["outcome", "UPDATE audit_records SET outcome = 'tool_error' WHERE id = 3"],
    ["time", "UPDATE audit_records SET time = time + 1 WHERE id = 3"],
  ])("names the record whose %s was edited in the database file", async (_what, sql) => {
    const dir = await seeded();
    tamper(dir, sql);
    const text = await mcpscopeRun(["audit", "verify", "--data-dir", dir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /^audit chain broken at record 3 \(2026-11-20T12:00:00\.\d{3}Z\): hash mismatch/,
    );
    const json = await mcpscopeRun(["audit", "verify", "--json", "--data-dir", dir]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, broken: { id: 3, reason: "hash mismatch" } });
  });

  it("names the record after a deleted row", async () => {
    const dir = await seeded();
    tamper(dir, "DELETE FROM audit_records WHERE id = ?", 4);
    const result = await mcpscopeRun(["audit", "verify", "--json", "--data-dir", dir]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      broken: { id: 5, time: T0 + 4 * 3_600_000, reason: "missing", timeIso: "2026-11-20T14:00:00.000Z" },
    });
    const text = await mcpscopeRun(["audit", "verify", "--data-dir", dir]);
    expect(text.stdout).toContain("record 5 (2026-11-20T14:00:00.000Z): missing");
  });

  it("catches a deleted row even when the ids after it are renumbered", async () => {
    const dir = await seeded();
    tamper(dir, "DELETE FROM audit_records WHERE id = 2");
    tamper(dir, "UPDATE audit_records SET id = id - 1 WHERE id > 2");
    const renumbered = await mcpscopeRun(["audit", "verify", "--json", "--data-dir", dir]);
    expect(JSON.parse(renumbered.stdout).broken).toMatchObject({ id: 2, reason: "hash mismatch" });
  });

  it("reports a batch link that does not chain from the one before", async () => {
    const dir = await seeded();
    tamper(dir, "UPDATE audit_links SET prev_hash = ? WHERE first_id = 2", "0".repeat(64));
    const result = await mcpscopeRun(["audit", "verify", "--json", "--data-dir", dir]);
    expect(JSON.parse(result.stdout).broken).toMatchObject({ id: 2, reason: "prev mismatch" });
  });
});

describe("mcpscope audit export", () => {
  it("round-trips JSON lines, with --since and --until", async () => {
    const dir = await seeded();
    const rows = readAudit(dir);
    const { stdout } = await cliOkInProcess(["audit", "export", "--data-dir", dir]);
    const exported = stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditRow);
    expect(exported.map(({ time_iso: _, ...rest }) => rest)).toEqual(rows);
    expect(exported[0]?.time_iso).toBe("2026-11-20T10:00:00.000Z");

    const window = await cliOkInProcess([
      "audit",
      "export",
      "--since",
      "2026-11-20T11:00:00Z",
      "--until",
      "2026-11-20T13:00:00Z",
      "--data-dir",
      dir,
    ]);
    expect(
      window.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).id),
    ).toEqual([2, 3]);
  });

  it("round-trips properly quoted CSV to a file", async () => {
    const dir = await seeded();
    const rows = readAudit(dir);
    const out = join(dir, "audit.csv");
    await cliOkInProcess(["audit", "export", "--format", "csv", "--output", out, "--data-dir", dir]);
    const [header, ...records] = parseCsv(await readFile(out, "utf8"));
    expect(header).toEqual([
      "id",
      "time",
      "time_ms",
      "kind",
      "actor",
      "server",
      "session_id",
      "action",
      "target",
      "args_digest",
      "outcome",
      "details",
      "prev_hash",
      "hash",
      "link",
    ]);
    expect(records).toHaveLength(rows.length);
    records.forEach((fields, i) => {
      const row = rows[i] as AuditRow;
      const parsed = Object.fromEntries((header ?? []).map((h, j) => [h, fields[j] ?? ""]));
      for (const [key, value] of Object.entries(row)) {
        expect(parsed[key === "time" ? "time_ms" : key], key).toBe(value === null ? "" : String(value));
      }
      expect(parsed.time).toBe(new Date(Number(row.time)).toISOString());
    });
    expect(records[0]?.[1]).toBe("2026-11-20T10:00:00.000Z");
    expect(records[3]?.[5]).toBe('srv, with "quotes"');
    expect(records[4]?.[8]).toBe("line one\nline two");
  });

  it("pages through the typed API after each page's cursor, and the CLI writes every page", async () => {
    const dir = await seeded(0);
    const db = openDb(dbFile(dir));
    db.transaction(() => {
      for (let i = 0; i < 1_203; i++)
        recordAdminAction(db, { action: "settings_change", actor: "u", target: `t-${i}`, time: T0 + i });
    });
    db.close();
    const args = { flags: { "data-dir": dir }, positionals: [], lists: {}, rest: [] };
    const pages = await withStoreApi(args, async (api) => {
      const first = await api.call("audit.export", { limit: 2, since: iso(T0 + 10) });
      const second = await api.call("audit.export", {
        limit: 2,
        since: iso(T0 + 10),
        after: first.next ?? 0,
      });
      const last = await api.call("audit.export", { after: 1_200 });
      return { first, second, last };
    });
    expect(pages.first.records.map((r) => r.id)).toEqual([11, 12]);
    expect(pages.first.next).toBe(12);
    expect(pages.first.records[0]?.time_iso).toBe(iso(T0 + 10));
    expect(pages.second.records.map((r) => r.id)).toEqual([13, 14]);
    expect(pages.last).toMatchObject({ next: null });
    expect(pages.last.records.map((r) => r.id)).toEqual([1_201, 1_202, 1_203]);

    const { stdout } = await cliOkInProcess(["audit", "export", "--data-dir", dir]);
    const ids = stdout
      .trimEnd()
      .split("\n")
      .map((line) => (JSON.parse(line) as AuditRow).id);
    expect(ids).toEqual(readAudit(dir).map((r) => r.id));
    expect(ids).toHaveLength(1_203);
  });

  it("a page that stops early leaves its connection free to write", async () => {
    const dir = await seeded(6);
    const engine = openDb(dbFile(dir));
    const other = openDb(dbFile(dir));
    try {
      // The engine answers a one-record page, another process records an admin action, then the engine
      // writes: an iterator left open by the page would hold an old snapshot and make that write fail busy.
      for (const record of iterateAudit(engine)) if (record.id > 0) break;
      recordAdminAction(other, { action: "settings_change", actor: "other", time: T0 + 10 * 3_600_000 });
      recordAdminAction(engine, { action: "settings_change", actor: "engine", time: T0 + 11 * 3_600_000 });
      expect([...iterateAudit(engine)].map((r) => r.actor).slice(-2)).toEqual(["other", "engine"]);
    } finally {
      engine.close();
      other.close();
    }
  });

  it("names in the API's record exactly the stored columns, in their order", () => {
    const columns = Object.keys(AuditRecordSchema.shape).filter((key) => key !== "time_iso");
    expect(columns).toEqual([...AUDIT_COLUMNS]);
  });

  it("rejects an unknown format in one line", async () => {
    const dir = await seeded(1);
    const result = await mcpscopeRun(["audit", "export", "--format", "xml", "--data-dir", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("admin actions", () => {
  it("records instrument and uninstrument in the chain", async () => {
    const tmp = await tempDir("mcpscope-audit-instrument-");
    cleanups.push(tmp.cleanup);
    const home = join(tmp.path, "home");
    const data = join(tmp.path, "data");
    await copyFixture(join(home, ".codex"), "codex-config.toml", "config.toml");
    const at = ["--home", home, "--data-dir", data];
    await cliOkInProcess(["instrument", "--client", "codex", "--server", "git tools", ...at]);
    await cliOkInProcess(["uninstrument", "--all", "--data-dir", data]);
    const rows = readAudit(data);
    expect(rows.map((r) => [r.kind, r.action, r.server])).toEqual([
      ["admin", "instrument", "git tools"],
      ["admin", "uninstrument", "git tools"],
    ]);
    expect(rows[0]?.target).toBe(join(home, ".codex", "config.toml"));
    expect(JSON.parse(String(rows[0]?.details)).client).toBe("codex");
    expect((await mcpscopeRun(["audit", "verify", "--data-dir", data])).stdout).toBe(
      "2 records, chain intact\n",
    );
  });
});
