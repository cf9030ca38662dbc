/**
 * MCP tasks (2025-11-25) end to end: the real SDK client's task API through `mcpscope run` against
 * server-everything's task tool, and a task a real SDK server holds until it is cancelled (so that the
 * running state and the cancel are seen however slow the machine: server-everything's task ends on its
 * own after 4 s). The call that created a task is stored as running while the task runs, then with the
 * task's real outcome and duration; the client's `tasks/get` polls and its `tasks/result` are the task's
 * bookkeeping, not calls of their own, unless no task followed here is theirs.
 */
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallDetail, StatsDocument } from "../../shared/domain.js";
import { cliJsonInProcess } from "../helpers/cli-in-process.js";
import { connect, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

const TOOL = "simulate-research-query";
/** server-everything's research task runs four stages of a second each. */
const RESEARCH_MS = 4000;
const HELD_SERVER = join(import.meta.dirname, "..", "fixtures", "held-task-server.mjs");
/** The held server's task tool: working until the client cancels it. */
const HELD_TOOL = "held-research";

/** Starts a research tool as a task; resolves its id once created, and the stream's end with `done`. */
function research(client: Client, topic: string, tool = TOOL) {
  const stream = client.experimental.tasks.callToolStream(
    { name: tool, arguments: { topic } },
    CallToolResultSchema,
    { task: { ttl: 60_000 } },
  );
  let created: (id: string) => void = () => {};
  const taskId = new Promise<string>((resolve) => {
    created = resolve;
  });
  const done = (async () => {
    const seen: string[] = [];
    for await (const message of stream) {
      if (message.type === "taskCreated") created(message.task.taskId);
      if (message.type === "taskStatus") seen.push(message.task.status);
      if (message.type === "result") return { result: message.result, seen };
      if (message.type === "error") return { error: message.error.message, seen };
    }
    return { seen };
  })();
  return { taskId, done };
}

async function storedCalls(dataDir: string, ...filter: string[]): Promise<CallDetail[]> {
  const args = ["calls", "--data-dir", dataDir, ...filter];
  return (await cliJsonInProcess<{ calls: CallDetail[] }>(args)).calls;
}

async function storedTask(dataDir: string, taskId: string, tool = TOOL): Promise<CallDetail | undefined> {
  return (await storedCalls(dataDir, "--tool", tool)).find((c) => c.task?.id === taskId);
}

describe("a task-augmented tools/call through mcpscope run", () => {
  it("is running while its task runs, then takes its real outcome and duration", async () => {
    const dataDir = join(dir.path, "tasks");
    const client = await connect(SERVERS.everything(), { dataDir, name: "everything" });
    await client.listTools();

    const long = research(client, "rivers");
    const longId = await long.taskId;

    // A task held until cancelled: while it runs, its call is stored, marked with its task, and has no
    // outcome yet; cancelled by the client, it takes that outcome.
    const held = await connect([HELD_SERVER], { dataDir, name: "held-tasks" });
    const cancelled = research(held, "lakes", HELD_TOOL);
    const cancelledId = await cancelled.taskId;
    const running = await waitFor(() => storedTask(dataDir, cancelledId, HELD_TOOL));
    expect(running).toMatchObject({ outcome: null, task: { id: cancelledId, state: "working" } });
    await held.experimental.tasks.cancelTask(cancelledId);
    expect(await cancelled.done).toMatchObject({ error: expect.stringContaining("cancelled") });
    const stopped = await waitFor(async () => {
      const call = await storedTask(dataDir, cancelledId, HELD_TOOL);
      return call?.outcome ? call : undefined;
    });
    expect(stopped).toMatchObject({ outcome: "cancelled", task: { id: cancelledId, state: "cancelled" } });
    await held.close();

    const { result, seen } = await long.done;
    expect(result?.content).toEqual([expect.objectContaining({ type: "text" })]);
    expect(seen.at(-1)).toBe("completed");

    // The task can end by its status (a poll, a notification) before tasks/result's answer is stored: the
    // call takes the tool's result from that answer when it comes.
    const ended = await waitFor(async () => {
      const call = await storedTask(dataDir, longId);
      return call?.outcome && call.response?.includes("Research Report") ? call : undefined;
    });
    expect(ended).toMatchObject({ outcome: "ok", task: { id: longId, state: "completed" } });
    // Its duration is the task's, to the end the wrapper saw: not the milliseconds of its creation.
    expect(ended.durationMs).toBeGreaterThanOrEqual(RESEARCH_MS);
    expect(ended.response).toContain("Research Report");
    expect(ended.taskUpdates.map((u) => u.state)).toContain("completed");
    expect(ended.taskUpdates[0]).toMatchObject({ state: "working" });

    // A third task the session ends before.
    const cut = research(client, "seas");
    const cutId = await cut.taskId;
    await client.close();
    const unfinished = await waitFor(async () => {
      const call = await storedTask(dataDir, cutId);
      return call?.outcome ? call : undefined;
    });
    expect(unfinished).toMatchObject({ outcome: "disconnected", task: { id: cutId, state: "unfinished" } });

    const doc = await cliJsonInProcess<StatsDocument>(["stats", "--data-dir", dataDir, "--since", "1h"]);
    const ops = doc.servers.find((s) => s.server === "everything")?.operations ?? [];
    const tool = ops.find((o) => o.method === "tools/call" && o.target === TOOL);
    expect(tool).toMatchObject({ calls: 2, outcomes: { ok: 1, disconnected: 1 } });
    expect(tool?.latency_ms.max).toBeGreaterThanOrEqual(RESEARCH_MS);
    const heldOps = doc.servers.find((s) => s.server === "held-tasks")?.operations ?? [];
    const heldTool = heldOps.find((o) => o.method === "tools/call" && o.target === HELD_TOOL);
    expect(heldTool).toMatchObject({ calls: 1, outcomes: { cancelled: 1 } });
    // Polls and the blocking tasks/result are the tasks' bookkeeping; tasks/cancel is a call like ping.
    const methods = [...ops, ...heldOps].map((o) => o.method);
    expect(methods).not.toContain("tasks/get");
    expect(methods).not.toContain("tasks/result");
    expect(heldOps.find((o) => o.method === "tasks/cancel")).toMatchObject({ calls: 1, outcomes: { ok: 1 } });
    expect(await storedCalls(dataDir, "--method", "tasks/get")).toEqual([]);
  });

  it("stores a tasks/result for a task it never saw as a call of its own, with the server's error", async () => {
    const dataDir = join(dir.path, "unknown");
    const client = await connect(SERVERS.everything(), { dataDir, name: "everything" });
    try {
      const asked = client.experimental.tasks.getTaskResult("no-such-task", CallToolResultSchema);
      await expect(asked).rejects.toThrow(/not found/i);
      const [call] = await waitFor(async () => {
        const calls = await storedCalls(dataDir, "--method", "tasks/result");
        return calls.length > 0 ? calls : undefined;
      });
      expect(call).toMatchObject({ outcome: "client_error", errorCode: -32602, task: null });
    } finally {
      await client.close();
    }
  });
});
