/**
 * Large responses through `mcpscope run` with the real SDK client and server: the wrapper copies only the
 * head and tail of a long line to its observer, and what is stored must still be the call's true outcome,
 * with the first 64 KiB of the payload kept and its credential masked.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePayload } from "../../electron/monitor/store/payload-codec.js";
import { closeOnceStored, connect, ROOT, tempDir, waitFor } from "../helpers/mcp.js";

const SERVER = join(ROOT, "test/fixtures/large-result-server.mjs");
const TOKEN = "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1234";
const MIB = 1024 * 1024;

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/observer-worker.mjs")))
    throw new Error("dist/ is not built: run `node build/build.mjs node` (npm test builds first)");
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

describe("mcpscope run with large responses", () => {
  it("stores each call's true outcome, its response capped at 64 KiB and masked", async () => {
    const wrap = { dataDir: dir.path, name: "large" };
    const client = await connect([SERVER], wrap);
    const results = [];
    for (const [name, bytes] of [
      ["big", MIB],
      ["fails", MIB],
      ["big", 5 * MIB],
      ["fails", 200_000],
      ["big", 1000],
    ] as const)
      results.push(await client.callTool({ name, arguments: { bytes } }));
    // Megabytes of copies to parse: on a loaded machine they can outlast the 2 s the SDK's close gives.
    await closeOnceStored(client, wrap);
    // The wrapper relayed every byte: the client got the whole results.
    const first = (results[0]?.content ?? []) as { text?: string }[];
    expect(String(first[0]?.text).length).toBeGreaterThan(MIB);

    const rows = await waitFor(() => {
      const db = new DatabaseSync(join(dir.path, "mcpscope.db"), { readOnly: true });
      try {
        const all = db
          .prepare(
            "SELECT target, outcome, bytes_out, response FROM calls WHERE method = 'tools/call' ORDER BY id",
          )
          .all();
        return all.length === 5 ? all : undefined;
      } finally {
        db.close();
      }
    });
    expect(rows.map((r) => `${r.target}:${r.outcome}`)).toEqual([
      "big:ok",
      "fails:tool_error",
      "big:ok",
      "fails:tool_error",
      "big:ok",
    ]);
    for (const [i, row] of rows.entries()) {
      const text = decodePayload(row.response as never) ?? "";
      expect(text.includes(TOKEN), `call ${i}`).toBe(false);
      expect(text.includes("[masked:named-secret"), `call ${i}`).toBe(true);
      expect(Buffer.byteLength(text), `call ${i}`).toBeLessThan(64 * 1024 + 100);
    }
    // The long ones say how much was cut, counted from the whole line.
    const cut = Number(
      /…\[truncated (\d+) bytes\]$/.exec(decodePayload(rows[2]?.response as never) ?? "")?.[1],
    );
    expect(cut).toBeGreaterThan(5 * MIB - 64 * 1024);
    expect(Number(rows[2]?.bytes_out)).toBeGreaterThan(5 * MIB);
  });

  it("still cuts long answers after a tool's arguments name a request whose answer is read whole", async () => {
    const client = await connect([SERVER], { dataDir: dir.path, name: "mentions" });
    // An LLM client relaying MCP: "tools/list" is in its arguments, not its method.
    await client.callTool({ name: "big", arguments: { bytes: 1000, relay: { method: "tools/list" } } });
    await waitFor(() => calls("mentions").length === 1);
    // A copy cut to its two ends cannot tell this outcome (an isError name is in the left-out middle): a
    // cut copy is what makes it unobserved; copied whole, it would be read and stored as ok.
    await client.callTool({ name: "hides", arguments: { bytes: MIB } });
    await client.close();
    const session = await waitFor(() => {
      const db = new DatabaseSync(join(dir.path, "mcpscope.db"), { readOnly: true });
      try {
        const row = db.prepare("SELECT ended_at, dropped FROM sessions WHERE server = 'mentions'").get();
        return row?.ended_at ? row : undefined;
      } finally {
        db.close();
      }
    });
    expect(calls("mentions")).toEqual(["big:ok"]);
    expect(Number(session.dropped)).toBe(1);
  });
});

/** `target:outcome` of the tools/call rows of one wrapped server. */
function calls(server: string): string[] {
  const db = new DatabaseSync(join(dir.path, "mcpscope.db"), { readOnly: true });
  try {
    return db
      .prepare(
        "SELECT c.target, c.outcome FROM calls c JOIN sessions s ON s.id = c.session_id WHERE s.server = ? AND c.method = 'tools/call' ORDER BY c.id",
      )
      .all(server)
      .map((row) => `${row.target}:${row.outcome}`);
  } finally {
    db.close();
  }
}
