/**
 * A report scoped to one MCP client, over sessions `mcpscope run --client` recorded: a name the client
 * configures but never launched (another client's same-named server ran) is not counted as the client's;
 * a server it launched and has since removed from its config stays in its past; a name two clients ran is
 * counted whole and the report says whose calls are in it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallSummary } from "../../shared/domain.js";
import type { Report } from "../../shared/report.js";
import { cliInHome, cliJsonInProcess } from "../helpers/cli-in-process.js";
import { closeOnceStored, connect, SERVERS, tempDir, type Wrap, waitFor } from "../helpers/mcp.js";

describe("report --client", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let home: string;
  let since: string;

  async function memoryCalls(client: string, n: number): Promise<void> {
    const wrap: Wrap = { dataDir: dir.path, name: "memory", extra: ["--client", client] };
    const memory = await connect(SERVERS.memory(), wrap);
    for (let i = 0; i < n; i++) await memory.callTool({ name: "read_graph", arguments: {} });
    // Closed once its calls are stored: closed sooner, a loaded machine's backlog can outlast the
    // close's grace, and the calls the reports count would be lost (seen at a load average of 20).
    await closeOnceStored(memory, wrap);
  }

  async function toolCalls(): Promise<number> {
    const { calls } = await cliJsonInProcess<{ calls: CallSummary[] }>([
      "calls",
      "--data-dir",
      dir.path,
      "--since",
      since,
      "--limit",
      "1000",
    ]);
    return calls.filter((c) => c.method === "tools/call").length;
  }

  /** The report, made in this process as from a shell in `home` (the clients' configs are found there). */
  async function report(client: string, format: "json" | "md"): Promise<string> {
    const until = new Date(Date.now() + 1).toISOString();
    const args = ["report", "--since", since, "--until", until, "--data-dir", dir.path, "--client", client];
    const { status, stdout, stderr } = await cliInHome([...args, "--format", format, "--output", "-"], {
      home,
      cwd: home,
    });
    if (status !== 0) throw new Error(`mcpscope ${args.join(" ")} exited with ${status}: ${stderr}`);
    return stdout;
  }

  beforeAll(async () => {
    dir = await tempDir();
    home = join(dir.path, "home");
    // Today Cursor has an entry named memory that it never launched; Claude Desktop, which launched
    // memory, no longer has it.
    await mkdir(join(home, ".cursor"), { recursive: true });
    await writeFile(
      join(home, ".cursor", "mcp.json"),
      JSON.stringify({ mcpServers: { memory: { command: process.execPath, args: ["memory.js"] } } }),
    );
    await mkdir(join(home, ".config", "Claude"), { recursive: true });
    await writeFile(
      join(home, ".config", "Claude", "claude_desktop_config.json"),
      JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: ["everything.js"] } } }),
    );
    since = new Date(Date.now() - 1000).toISOString();
    await memoryCalls("claude-desktop", 3);
    await waitFor(async () => (await toolCalls()) === 3);
  }, 60_000);

  afterAll(async () => {
    await dir.cleanup();
  });

  it("leaves out a configured name that only another client launched, and says so", async () => {
    const doc = JSON.parse(await report("cursor", "json")) as Report;
    expect(doc.scope.clientServers).toEqual([
      { server: "memory", configured: true, counted: false, otherClients: ["claude-desktop"] },
    ]);
    expect(doc.servers).toEqual([]);
    expect(doc.summary.calls.value).toBe(0);
    const md = await report("cursor", "md");
    expect(md).toContain(
      "memory is configured in cursor but not counted: every session of that name was launched by claude-desktop.",
    );
  });

  it("keeps a server the client launched in its past after it left the config", async () => {
    const doc = JSON.parse(await report("claude-desktop", "json")) as Report;
    expect(doc.servers.map((s) => s.server)).toEqual(["everything", "memory"]);
    expect(doc.servers.find((s) => s.server === "memory")?.calls).toBeGreaterThanOrEqual(3);
    expect(await report("claude-desktop", "md")).toContain(
      "memory is no longer configured in claude-desktop.",
    );
  });

  it("counts a name two clients launched whole, naming the other client", async () => {
    await memoryCalls("cursor", 2);
    await waitFor(async () => (await toolCalls()) === 5);
    const doc = JSON.parse(await report("cursor", "json")) as Report;
    expect(doc.scope.clientServers).toEqual([
      { server: "memory", configured: true, counted: true, otherClients: ["claude-desktop"] },
    ]);
    expect(doc.tools.find((t) => t.tool === "read_graph")?.calls).toBe(5);
    expect(await report("cursor", "md")).toContain(
      "memory's figures include the calls of claude-desktop, which runs a server of the same name.",
    );
  }, 30_000);
});
