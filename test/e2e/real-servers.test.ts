/**
 * The real SDK client through `mcpscope run` against real MCP servers: every response equals the direct
 * run's, and `mcpscope stats --json` counts exactly the calls and outcomes the test made.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { CallDetail, StatsDocument } from "../../shared/domain.js";
import { cliJsonInProcess } from "../helpers/cli-in-process.js";
import { closeOnceStored, connect, SERVERS, tempDir, type Wrap, waitFor } from "../helpers/mcp.js";

type Step = [label: string, run: (client: Client) => Promise<unknown>];

/**
 * Runs the steps; a thrown MCP error is a result too (its code and message). A wrapped client is closed
 * once its calls are stored: what the checks below read.
 */
async function script(client: Client, steps: Step[], wrap?: Wrap): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const [, run] of steps) {
    try {
      results.push(await run(client));
    } catch (error) {
      results.push({ thrown: (error as { code?: number }).code, message: (error as Error).message });
    }
  }
  await (wrap ? closeOnceStored(client, wrap) : client.close());
  return results;
}

async function stats(dataDir: string, server: string): Promise<StatsDocument["servers"][number]> {
  // The wrapper flushes on exit; wait until its session is closed and counted.
  return waitFor(async () => {
    const doc = await cliJsonInProcess<StatsDocument>(["stats", "--data-dir", dataDir, "--since", "1h"]);
    const s = doc.servers.find((x) => x.server === server);
    const calls = await cliJsonInProcess<{ calls: CallDetail[] }>([
      "calls",
      "--data-dir",
      dataDir,
      "--method",
      "initialize",
    ]);
    return s && calls.calls.length > 0 ? s : undefined;
  });
}

function op(s: StatsDocument["servers"][number], method: string, target: string | null = null) {
  const found = s.operations.find((o) => o.method === method && o.target === target);
  if (!found)
    throw new Error(
      `no operation ${method} ${target ?? ""} in ${JSON.stringify(s.operations.map((o) => [o.method, o.target]))}`,
    );
  return found;
}

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

describe("through mcpscope run, against real servers", () => {
  it("server-everything: identical responses; stats count every call and outcome", async () => {
    const dataDir = join(dir.path, "everything");
    const wrap: Wrap = { dataDir, name: "everything" };
    const steps: Step[] = [
      ["list tools", (c) => c.listTools()],
      ["echo", (c) => c.callTool({ name: "echo", arguments: { message: "hello" } })],
      ["echo 2", (c) => c.callTool({ name: "echo", arguments: { message: "again ✓ 🙂" } })],
      ["sum", (c) => c.callTool({ name: "get-sum", arguments: { a: 2, b: 40 } })],
      ["echo invalid arguments", (c) => c.callTool({ name: "echo", arguments: { wrong: 1 } })],
      ["unknown tool", (c) => c.callTool({ name: "no-such-tool", arguments: {} })],
      ["unknown method", (c) => c.request({ method: "no/such/method", params: {} }, z.any())],
      ["missing resource", (c) => c.readResource({ uri: "demo://resource/static/document/nope.md" })],
      ["list prompts", (c) => c.listPrompts()],
    ];
    const [direct, wrapped] = await Promise.all([
      connect(SERVERS.everything()).then((c) => script(c, steps)),
      connect(SERVERS.everything(), wrap).then((c) => script(c, steps, wrap)),
    ]);
    expect(wrapped).toEqual(direct);

    const s = await stats(dataDir, "everything");
    expect(op(s, "initialize")).toMatchObject({ calls: 1, errors: 0 });
    expect(op(s, "tools/list")).toMatchObject({ calls: 1, errors: 0 });
    expect(op(s, "tools/call", "echo")).toMatchObject({
      calls: 3,
      errors: 1,
      outcomes: { ok: 2, tool_error: 1 },
    });
    expect(op(s, "tools/call", "get-sum")).toMatchObject({ calls: 1, outcomes: { ok: 1 } });
    expect(op(s, "tools/call", "no-such-tool")).toMatchObject({ calls: 1, outcomes: { tool_error: 1 } });
    expect(op(s, "no/such/method")).toMatchObject({ calls: 1, outcomes: { client_error: 1 } });
    expect(op(s, "resources/read", "demo://resource/static/document/nope.md")).toMatchObject({
      calls: 1,
      outcomes: { client_error: 1 },
    });
    expect(op(s, "prompts/list")).toMatchObject({ calls: 1, outcomes: { ok: 1 } });
    expect(s.calls).toBe(10);
    expect(s.errors).toBe(4);
    const echo = op(s, "tools/call", "echo");
    expect(echo.latency_ms.p50).toBeGreaterThan(0);
    expect(echo.latency_ms.max).toBeGreaterThanOrEqual(echo.latency_ms.p95);
    expect(echo.bytes_in).toBeGreaterThan(0);
    expect(echo.bytes_out).toBeGreaterThan(0);

    const { calls } = await cliJsonInProcess<{ calls: CallDetail[] }>([
      "calls",
      "--data-dir",
      dataDir,
      "--tool",
      "echo",
    ]);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.outcome).sort()).toEqual(["ok", "ok", "tool_error"]);
    const hello = calls.find((c) => c.request?.includes('"hello"'));
    expect(hello?.response).toContain("Echo: hello");
    expect(hello).toMatchObject({ clientName: "mcpscope-test", protocolVersion: expect.any(String) });
  });

  it("server-memory: identical responses and counts", async () => {
    const dataDir = join(dir.path, "memory");
    const wrap: Wrap = { dataDir, name: "memory" };
    const steps: Step[] = [
      [
        "create",
        (c) =>
          c.callTool({
            name: "create_entities",
            arguments: {
              entities: [{ name: "ada", entityType: "person", observations: ["wrote programs"] }],
            },
          }),
      ],
      [
        "relate",
        (c) =>
          c.callTool({
            name: "create_relations",
            arguments: { relations: [{ from: "ada", to: "ada", relationType: "knows" }] },
          }),
      ],
      ["read", (c) => c.callTool({ name: "read_graph", arguments: {} })],
      ["search", (c) => c.callTool({ name: "search_nodes", arguments: { query: "ada" } })],
      ["invalid", (c) => c.callTool({ name: "create_entities", arguments: { entities: "not a list" } })],
    ];
    const [direct, wrapped] = await Promise.all([
      connect(SERVERS.memory(), undefined, { MEMORY_FILE_PATH: join(dir.path, "direct.jsonl") }).then((c) =>
        script(c, steps),
      ),
      connect(SERVERS.memory(), wrap, { MEMORY_FILE_PATH: join(dir.path, "wrapped.jsonl") }).then((c) =>
        script(c, steps, wrap),
      ),
    ]);
    expect(wrapped).toEqual(direct);
    const s = await stats(dataDir, "memory");
    expect(op(s, "tools/call", "create_entities")).toMatchObject({
      calls: 2,
      outcomes: { ok: 1, tool_error: 1 },
    });
    expect(op(s, "tools/call", "create_relations").outcomes.ok).toBe(1);
    expect(op(s, "tools/call", "read_graph").outcomes.ok).toBe(1);
    expect(op(s, "tools/call", "search_nodes").outcomes.ok).toBe(1);
    expect(s.calls).toBe(6);
  });

  it("server-filesystem: identical responses; access denied is a tool error", async () => {
    const dataDir = join(dir.path, "fs-data");
    const wrap: Wrap = { dataDir, name: "files" };
    const root = join(dir.path, "files");
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "notes.txt"), "line one\nline two\n");
    const steps: Step[] = [
      ["read", (c) => c.callTool({ name: "read_text_file", arguments: { path: join(root, "notes.txt") } })],
      ["list", (c) => c.callTool({ name: "list_directory", arguments: { path: root } })],
      ["denied", (c) => c.callTool({ name: "read_text_file", arguments: { path: "/etc/hostname" } })],
      ["missing", (c) => c.callTool({ name: "read_text_file", arguments: { path: join(root, "nope.txt") } })],
    ];
    const [direct, wrapped] = await Promise.all([
      connect(SERVERS.filesystem(root)).then((c) => script(c, steps)),
      connect(SERVERS.filesystem(root), wrap).then((c) => script(c, steps, wrap)),
    ]);
    expect(wrapped).toEqual(direct);
    const s = await stats(dataDir, "files");
    expect(op(s, "tools/call", "read_text_file")).toMatchObject({
      calls: 3,
      outcomes: { ok: 1, tool_error: 2 },
    });
    expect(op(s, "tools/call", "list_directory").outcomes.ok).toBe(1);
    const { calls } = await cliJsonInProcess<{ calls: CallDetail[] }>([
      "calls",
      "--data-dir",
      dataDir,
      "--outcome",
      "tool_error",
    ]);
    expect(calls.some((c) => c.errorMessage?.includes("Access denied"))).toBe(true);
  });

  it("records a cancellation as its own outcome, and calls answered past --timeout as the client saw them", async () => {
    const dataDir = join(dir.path, "slow");
    const client = await connect(SERVERS.everything(), { dataDir, name: "slow", extra: ["--timeout", "1s"] });
    // Past --timeout with no sign of life, then answered while the client waited: ok, with its real latency
    // (a timeout until the answer came). Past it while reporting progress: ok, as the client saw.
    const [slow, reporting] = await Promise.all([
      client.callTool(
        { name: "trigger-long-running-operation", arguments: { duration: 2.5, steps: 5 } },
        undefined,
        { timeout: 30_000 },
      ),
      client.callTool(
        { name: "trigger-long-running-operation", arguments: { duration: 2.5, steps: 5 } },
        undefined,
        { timeout: 30_000, onprogress: () => {} },
      ),
    ]);
    expect(slow.isError).toBeFalsy();
    expect(reporting.isError).toBeFalsy();
    const controller = new AbortController();
    const cancelled = client
      .callTool({ name: "trigger-long-running-operation", arguments: { duration: 5, steps: 5 } }, undefined, {
        signal: controller.signal,
      })
      .catch((error: Error) => error);
    setTimeout(() => controller.abort("user"), 300);
    expect(await cancelled).toBeInstanceOf(Error);
    // Stored before the close: the SDK's close gives the wrapper 2 s before SIGTERM, which a loaded
    // machine's backlog can outlast, and the cancelled call would then be counted as not recorded.
    const { calls } = await waitFor(async () => {
      const r = await cliJsonInProcess<{ calls: CallDetail[] }>([
        "calls",
        "--data-dir",
        dataDir,
        "--tool",
        "trigger-long-running-operation",
      ]);
      return r.calls.length === 3 ? r : undefined;
    }).finally(() => client.close());
    expect(calls.map((c) => c.outcome).sort()).toEqual(["cancelled", "ok", "ok"]);
    for (const call of calls.filter((c) => c.outcome === "ok")) expect(call.durationMs).toBeGreaterThan(2000);
  });
});
