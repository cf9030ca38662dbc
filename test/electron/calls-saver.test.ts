/**
 * The Calls view's export in the desktop app (`calls.save`), over a real engine and store, with Electron's
 * Save dialog faked: an export larger than a file the renderer may hand over (64 MiB) is streamed into the
 * file whole, every call with its request; over "the last hour", a clock that moves on between the pages
 * drops no call (the window is fixed once, when the export starts); and the CSV holds every call of the
 * window, not a page of them.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createCallsSaver } from "../../electron/main/calls-saver.js";
import { savedFileOpener } from "../../electron/main/report-saver.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { callsJson } from "../../shared/calls-export.js";
import type { CallDetail, CallSummary } from "../../shared/domain.js";
import { FileContentSchema } from "../../shared/files.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls } from "../metrics/workload.js";

const CALLS = 1200;
/** Each call's argument: under the 64 KiB capture limit, so the calls together pass 64 MiB. */
const ARGUMENT = 60_000;
/**
 * The newest call: now, on the real clock. The engine's collector deletes calls older than 7 days by the
 * real clock (an engine takes no clock), so calls dated on a fixed day were gone once it was 7 days past.
 */
const T0 = Date.now();

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
beforeAll(async () => {
  dir = await tempDir("mcpscope-calls-save-");
  // One call a second, the newest at T0: the oldest 20 minutes before it.
  recordCalls(
    dir.path,
    Array.from({ length: CALLS }, (_, i) => ({
      server: "files",
      method: "tools/call",
      target: "read",
      outcome: "ok" as const,
      startedAt: T0 - (CALLS - 1 - i) * 1000,
      durationMs: 5,
      request: {
        jsonrpc: "2.0",
        id: i + 1,
        method: "tools/call",
        params: { name: "read", arguments: { text: `${i}:${"x".repeat(ARGUMENT)}` } },
      },
    })),
  );
  engine = await createEngine({ dataDir: dir.path, inventory: false, alerts: false });
}, 120_000);
afterAll(async () => {
  await engine.close();
  await dir.cleanup();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The rows the view shows for `since`, newest first, as it pages through calls.list. */
async function listed(since: string): Promise<CallSummary[]> {
  const rows: CallSummary[] = [];
  for (;;) {
    const last = rows.at(-1);
    const page = (await engine.invoke(
      "calls.list",
      last ? { since, limit: 1000, beforeId: last.id, beforeTime: last.startedAt } : { since, limit: 1000 },
    )) as CallSummary[];
    rows.push(...page);
    if (page.length < 1000) return rows;
  }
}

/** The export window of "the last hour" as the view fixes it when the export starts. */
function lastHour(): { since: string; until: string } {
  const now = Date.now();
  return { since: new Date(now - 3_600_000).toISOString(), until: new Date(now).toISOString() };
}

function saver(target: string, invoke: Engine["invoke"] = (method, input) => engine.invoke(method, input)) {
  return createCallsSaver({
    engine: { invoke },
    showSaveDialog: async () => ({ canceled: false, filePath: target }),
    defaultDir: dir.path,
    openFile: savedFileOpener(dir.path),
  });
}

describe("the Calls view's export in the desktop app", () => {
  it("streams an export past the 64 MiB a file from the renderer may hold into the file, whole", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: T0 + 60_000 });
    const rows = await listed("1h");
    expect(rows).toHaveLength(CALLS);
    const target = join(dir.path, "calls.json");
    const result = await saver(target)({
      filename: "calls.json",
      format: "json",
      query: { ...lastHour(), server: "files" },
    });
    expect(result).toMatchObject({ ok: true, path: target });
    expect(result.message).toContain("1,200 calls, every one the filters and range match");

    const text = await readFile(target, "utf8");
    expect(text.length).toBeGreaterThan(64 * 1024 * 1024);
    // The same file made in the renderer and handed over whole is more than files.save takes.
    expect(
      FileContentSchema.safeParse({
        filename: "calls.json",
        mimeType: "application/json",
        encoding: "utf8",
        content: text,
      }).success,
    ).toBe(false);
    const { calls } = JSON.parse(text) as { calls: CallDetail[] };
    expect(calls.map((c) => c.id)).toEqual(rows.map((r) => r.id));
    expect(calls.every((c, i) => c.request?.includes(`"${CALLS - 1 - i}:xxx`))).toBe(true);
    expect((await stat(target)).mode & 0o777).toBe(0o600);
  }, 120_000);

  it("over the last hour, keeps every call's details while the clock moves on between pages", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: T0 + 40 * 60_000 });
    // The view lists the last hour 40 minutes after the newest call: from just before the oldest call on,
    // all 1200 of them.
    const rows = await listed("1h");
    expect(rows).toHaveLength(CALLS);
    const pages: unknown[] = [];
    // Each page is asked for a minute after the one before: by the last, the oldest calls are more than an
    // hour old.
    const slow: Engine["invoke"] = async (method, input) => {
      pages.push(input);
      const answer = await engine.invoke(method, input);
      vi.setSystemTime(Date.now() + 60_000);
      return answer;
    };
    const target = join(dir.path, "sliding.json");
    await saver(target, slow)({ filename: "calls.json", format: "json", query: lastHour() });
    expect(pages.length).toBeGreaterThan(5);
    const { calls } = JSON.parse(await readFile(target, "utf8")) as { calls: CallDetail[] };
    expect(calls.map((c) => c.id)).toEqual(rows.map((r) => r.id));
    expect(calls.filter((c) => c.request === null).map((c) => c.id)).toEqual([]);
  }, 120_000);

  it("writes every call of the window as CSV, the same rows as the view lists", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: T0 + 60_000 });
    const rows = await listed("1h");
    const target = join(dir.path, "calls.csv");
    const result = await saver(target)({ filename: "calls.csv", format: "csv", query: lastHour() });
    expect(result.message).toContain("1,200 calls");
    const lines = (await readFile(target, "utf8")).split("\r\n");
    expect(lines[0]).toBe(
      "id,started_at,server,direction,method,target,outcome,duration_ms,error_code,error_message,bytes_in,bytes_out,session,request_id,task_id,task_state",
    );
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(1, -1).map((l) => Number(l.split(",")[0]))).toEqual(rows.map((r) => r.id));
  }, 120_000);

  it("gives the text JSON.stringify gives, in pieces", async () => {
    async function* of<T>(items: T[]) {
      yield* items;
    }
    const join = async (items: unknown[]) => {
      let text = "";
      for await (const piece of callsJson(of(items))) text += piece;
      return text;
    };
    for (const calls of [[], [{ a: 1, b: [1, { c: "x\ny" }], d: {} }], [{ a: null }, { e: [] }, 3]])
      expect(await join(calls)).toBe(`${JSON.stringify({ calls }, null, 2)}\n`);
  });
});
