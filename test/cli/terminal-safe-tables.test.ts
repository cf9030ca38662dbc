/**
 * Tool names, error messages and client names are server- and client-controlled. A real client calls a
 * tool whose name holds an OSC title escape, a BEL, a colour escape, a tab and a newline, through
 * `mcpscope run` in front of server-memory: every table command prints it with its control characters
 * shown as `\xNN`, one row per record, while `--json` keeps the raw values.
 */
import { DatabaseSync } from "node:sqlite";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cellText } from "../../electron/cli/terminal-text.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { MCPSCOPE, mcpscope, mcpscopeJson, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

const TOOL = 'pwn\u001b]0;PWNED\u0007\u001b[31mred\u001b[0m we"ird\ttool\nx';
const CLIENT = "client\u001b[2Jwiped";
// biome-ignore lint/suspicious/noControlCharactersInRegex: what must not reach the terminal.
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

let dir: Awaited<ReturnType<typeof tempDir>>;
let sessionId = "";
beforeAll(async () => {
  dir = await tempDir();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      MCPSCOPE,
      "run",
      "--name",
      "esc",
      "--data-dir",
      dir.path,
      "--",
      process.execPath,
      ...SERVERS.memory(),
    ],
    stderr: "pipe",
  });
  const client = new Client({ name: CLIENT, version: "1.0.0" });
  await client.connect(transport);
  // server-memory answers an unknown tool with an error result quoting its name.
  const result = await client.callTool({ name: TOOL, arguments: { note: "a\u001b[31mb" } });
  expect(result.isError).toBe(true);
  await client.close();
  // The client's close does not wait for the wrapper's exit, where it stores what is left and the
  // session's end: wait for both (on a busy machine the database may not even exist yet).
  sessionId = await waitFor(() => endedSessionWithCall(dir.path));
}, 60_000);
afterAll(() => dir.cleanup());

/** The id of the ended session that stored the tool call, once the wrapper has stored both. */
function endedSessionWithCall(dataDir: string): string | undefined {
  let db: DatabaseSync | undefined;
  try {
    // SQLite itself, not openDb: a read here must never upgrade, or take a half-made file for damage.
    db = new DatabaseSync(databasePath(dataDir), { readOnly: true });
    const row = db
      .prepare(
        `SELECT s.id FROM sessions s JOIN calls c ON c.session_id = s.id
         WHERE c.method = 'tools/call' AND s.ended_at IS NOT NULL LIMIT 1`,
      )
      .get();
    return row ? String(row.id) : undefined;
  } catch {
    return undefined; // not created yet
  } finally {
    db?.close();
  }
}

/** The output's lines that mention the tool: each must be one whole row. */
const toolLines = (stdout: string) => stdout.split("\n").filter((l) => l.includes("pwn"));

describe("table output of server- and client-controlled text", () => {
  it.each([
    ["calls", ["calls"]],
    ["stats", ["stats"]],
    ["events", ["events", "--server", "esc"]],
    ["events groups", ["events", "groups", "--server", "esc"]],
  ])("%s shows control characters as \\xNN, the tool on one row", async (_name, args) => {
    const { stdout } = await mcpscope([...args, "--data-dir", dir.path]);
    expect(stdout).not.toMatch(RAW);
    const lines = toolLines(stdout);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toContain("pwn\\x1b]0;PWNED\\x07\\x1b[31mred");
      // The rest of the name on the same line: the newline did not split the row.
      if (!line.includes("…")) expect(line).toContain("tool\\x0ax");
    }
  });

  it("session shows the client's name and the call's summary with control characters as \\xNN", async () => {
    const { stdout } = await mcpscope(["session", sessionId, "--data-dir", dir.path]);
    expect(stdout).not.toMatch(RAW);
    expect(stdout).toContain("client\\x1b[2Jwiped");
    expect(toolLines(stdout).length).toBeGreaterThan(0);
  });

  it("--json keeps the raw name", async () => {
    const { calls } = await mcpscopeJson<{ calls: Array<{ target: string | null }> }>([
      "calls",
      "--data-dir",
      dir.path,
    ]);
    expect(calls.map((c) => c.target)).toContain(TOOL);
  });

  it("cuts a long cell after neutralising it, never inside an escape", () => {
    const cut = cellText(`${"m".repeat(60)}\u001b]0;PWNED\u0007`, 64);
    expect(cut).toBe(`${"m".repeat(60)}\\x1…`);
    expect(cut).not.toMatch(RAW);
  });
});
