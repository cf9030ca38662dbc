/**
 * Calls are listed newest first by the time they started, not in the order their wrappers wrote them: two
 * wrappers each write in batches, so ids follow the writes while times interleave. The engine's list, a
 * page back from any call (the Calls view's "load more", `mcpscope calls --before`) and the CLI agree.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { listCallDetails, listCalls, listClientCalls } from "../../electron/monitor/store/queries.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls, type TestCall } from "../metrics/workload.js";

const T0 = Date.parse("2026-12-06T21:25:24.000Z");
const at = (server: string, ms: number, target: string): TestCall => ({
  server,
  method: "tools/call",
  target,
  outcome: "ok",
  startedAt: T0 + ms,
  durationMs: 1,
});

let dir: Awaited<ReturnType<typeof tempDir>>;
/** Targets newest first by time: what every listing must show. */
const BY_TIME = ["b5", "a5", "b4", "a4", "a3", "b3", "b2", "a2", "b1", "a1"];

beforeAll(async () => {
  dir = await tempDir();
  // Wrapper a's batch is written first, then b's: b's oldest calls get higher ids than a's newest.
  recordCalls(dir.path, [
    at("a", 100, "a1"),
    at("a", 300, "a2"),
    at("a", 520, "a3"),
    at("a", 700, "a4"),
    at("a", 900, "a5"),
  ]);
  recordCalls(dir.path, [
    at("b", 200, "b1"),
    at("b", 400, "b2"),
    at("b", 500, "b3"),
    at("b", 800, "b4"),
    at("b", 1000, "b5"),
  ]);
});
afterAll(async () => {
  await dir.cleanup();
});

describe("calls in time order", () => {
  it("lists the newest first by start time, summaries and details alike", () => {
    const db = openDb(databasePath(dir.path), { readOnly: true });
    try {
      expect(listCalls(db, { limit: 50 }).map((c) => c.target)).toEqual(BY_TIME);
      expect(listCallDetails(db, { limit: 50 }).map((c) => c.target)).toEqual(BY_TIME);
      // One server's calls read through its own index keep the same order.
      expect(listCalls(db, { server: "a", limit: 50 }).map((c) => c.target)).toEqual(
        BY_TIME.filter((t) => t.startsWith("a")),
      );
    } finally {
      db.close();
    }
  });

  it("pages back from the last call of a page without skipping or repeating one", () => {
    const db = openDb(databasePath(dir.path), { readOnly: true });
    try {
      const paged: string[] = [];
      let beforeId: number | undefined;
      for (;;) {
        const page = listCalls(db, { limit: 3, ...(beforeId ? { beforeId } : {}) });
        paged.push(...page.map((c) => c.target ?? ""));
        if (page.length < 3) break;
        beforeId = page.at(-1)?.id;
      }
      expect(paged).toEqual(BY_TIME);
    } finally {
      db.close();
    }
  });

  it("`mcpscope calls --json` lists by time, and --before gives the next page", async () => {
    const first = await cliInProcess(["calls", "--data-dir", dir.path, "--json", "--limit", "4"]);
    expect(first.stderr).toBe("");
    const page = (JSON.parse(first.stdout) as { calls: { id: number; target: string }[] }).calls;
    expect(page.map((c) => c.target)).toEqual(BY_TIME.slice(0, 4));
    const last = page.at(-1)?.id ?? 0;
    const next = await cliInProcess(["calls", "--data-dir", dir.path, "--json", "--before", String(last)]);
    const rest = (JSON.parse(next.stdout) as { calls: { target: string }[] }).calls;
    expect(rest.map((c) => c.target)).toEqual(BY_TIME.slice(4));
  });

  it("`--before` that is not a call id is a usage error of one line", async () => {
    const bad = await cliInProcess(["calls", "--data-dir", dir.path, "--before", "soon"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain('--before takes a call id (a whole number from a listing), not "soon"');
  });

  it("`--before` a call that is not stored exits 1 with one line, not the first page", async () => {
    const gone = await cliInProcess(["calls", "--data-dir", dir.path, "--before", "99999"]);
    expect(gone.status).toBe(1);
    expect(gone.stdout).toBe("");
    expect(gone.stderr.trim().split("\n")).toEqual([
      expect.stringContaining("call 99999 is no longer stored"),
    ]);
  });

  it("an entry's recent calls, from sessions written in batches, are newest first by time too", async () => {
    const own = await tempDir();
    try {
      recordCalls(own.path, [at("s", 100, "s1"), at("s", 300, "s3"), at("s", 500, "s5")]);
      recordCalls(own.path, [at("s", 200, "s2"), at("s", 400, "s4"), at("s", 600, "s6")]);
      const db = openDb(databasePath(own.path), { readOnly: true });
      try {
        expect(
          listClientCalls(db, { name: "s", client: null, entry: null, unmarked: false }, 4).map(
            (c) => c.target,
          ),
        ).toEqual(["s6", "s5", "s4", "s3"]);
      } finally {
        db.close();
      }
    } finally {
      await own.cleanup();
    }
  });

  it("pages back through parallel calls started inside one millisecond, as the Calls view does", async () => {
    const own = await tempDir();
    try {
      recordCalls(own.path, [
        at("p", 10, "p1"),
        at("p", 20.15, "p2"),
        at("p", 20.15, "p3"),
        at("p", 20.6, "p4"),
      ]);
      const db = openDb(databasePath(own.path), { readOnly: true });
      try {
        const all = listCalls(db, { limit: 50 }).map((c) => c.target);
        expect(all).toEqual(["p4", "p3", "p2", "p1"]);
        const paged: (string | null)[] = [];
        let before = {};
        for (;;) {
          const page = listCalls(db, { limit: 1, ...before });
          paged.push(...page.map((c) => c.target));
          const last = page.at(-1);
          if (!last) break;
          before = { beforeId: last.id, beforeTime: last.startedAt };
        }
        expect(paged).toEqual(all);
      } finally {
        db.close();
      }
    } finally {
      await own.cleanup();
    }
  });

  // Last: it deletes a call, as the size cap does with the oldest call shown, the page's bottom.
  it("pages on after the cursor call is deleted when its time comes with it", () => {
    const db = openDb(databasePath(dir.path));
    try {
      const page = listCalls(db, { limit: 4 });
      const cursor = page.at(-1);
      if (!cursor) throw new Error("no calls");
      db.prepare("DELETE FROM calls WHERE id = ?").run(cursor.id);
      const rest = listCalls(db, { limit: 50, beforeId: cursor.id, beforeTime: cursor.startedAt });
      expect(rest.map((c) => c.target)).toEqual(BY_TIME.slice(4));
      expect(() => listCalls(db, { limit: 50, beforeId: cursor.id })).toThrow(
        `call ${cursor.id} is no longer stored`,
      );
    } finally {
      db.close();
    }
  });
});
