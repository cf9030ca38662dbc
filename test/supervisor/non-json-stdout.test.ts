/**
 * A server that writes log lines to stdout (a `console.log` in a stdio server) gets no handshake through:
 * the failure quotes the first such line, masked, wherever it is shown (the start's answer, the crash
 * event, `mcpscope check`).
 */
import { afterAll, describe, expect, it } from "vitest";
import { quotedText } from "../../electron/monitor/pipeline/quoted-line.js";
import { processEnv } from "../../electron/monitor/shell-env.js";
import { openSession } from "../../electron/monitor/supervisor/mcp-session.js";
import { Supervisor } from "../../electron/monitor/supervisor/supervisor.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { stdioTarget, testStore } from "./helpers.js";

const GARBAGE = [
  "-e",
  'process.stdin.resume(); let n = 0; console.log("token sk-live-abcdefghijklmnopqrstuv"); setInterval(() => console.log("this is not json " + n++), 50);',
];
// Prints a banner to stdout, then answers as a real server does.
const BANNER = [
  "--input-type=module",
  "-e",
  'console.log("Server running");' +
    'const { McpServer } = await import("@modelcontextprotocol/sdk/server/mcp.js");' +
    'const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");' +
    'await new McpServer({ name: "banner", version: "1.0.0" }).connect(new StdioServerTransport());',
];
const HINT =
  /^no answer to the handshake within 1s; it wrote non-JSON to stdout: "token \[masked:[^\]]+\]" \(log with console\.error, not console\.log\)$/;

const store = testStore();
afterAll(() => store.close());

describe("a server that writes non-JSON to stdout", () => {
  it("fails its start with the first such line, masked, in the answer and the crash event", async () => {
    const supervisor = new Supervisor({
      sink: store.sink,
      runs: store.runs,
      env: async () => processEnv(),
      timeoutMs: 1000,
      graceMs: 200,
    });
    try {
      const status = await supervisor.start(stdioTarget("garbage", process.execPath, GARBAGE));
      expect(status.lastError).toMatch(HINT);
      const crash = store.rows(
        "SELECT message FROM events WHERE type = 'process.crash' AND server = 'garbage'",
      );
      expect(String(crash[0]?.message)).toContain("it wrote non-JSON to stdout");
      expect(JSON.stringify(crash)).not.toContain("sk-live-abcdefghijklmnopqrstuv");
    } finally {
      await supervisor.stopAll();
    }
  });

  it("says so in `mcpscope check`", async () => {
    const result = await cliInProcess(["check", "--timeout", "1s", "--", process.execPath, ...GARBAGE]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().replace(/^mcpscope check: /, "")).toMatch(HINT);
  });

  it("does not blame a banner line for what goes wrong after a handshake that went through", async () => {
    const session = await openSession(stdioTarget("banner", process.execPath, BANNER), {
      env: processEnv(),
      timeoutMs: 10_000,
    });
    try {
      expect(session.facts).not.toBeNull();
      const later = session.failure(new Error("socket hang up"), "ping");
      expect(later.message).toBe("ping failed: socket hang up");
    } finally {
      await session.close();
    }
  });

  it("quotes a long line masked before it is cut, and never cuts a mask", () => {
    const pat = `ghp_${"A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"}`;
    // The token crosses the 200th character.
    const quoted = quotedText(`${"x".repeat(164)} logged in with ${pat} and more`);
    expect(quoted).not.toContain("A1b2C3d4");
    expect(quoted).toMatch(/ logged in with \[masked:[^\]]+\]…$/);
    expect(quotedText("short line")).toBe("short line");
    expect(quotedText("y".repeat(5000))).toBe(`${"y".repeat(200)}…`);
  });
});
