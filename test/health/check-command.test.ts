/**
 * `mcpscope check`: one probe from the command line, through the CLI in process (what it finds and says;
 * how its process stops on a signal is process-group.test.ts's).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { SERVERS, tempDir } from "../helpers/mcp.js";
import { freePort, startRemote } from "./remote-server.js";

async function fail(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { status, stdout, stderr } = await cliInProcess(args);
  if (status === 0) throw new Error("expected a non-zero exit");
  return { code: status, stdout, stderr };
}

describe("mcpscope check", () => {
  it("exits 0 for a healthy server and prints what it found", async () => {
    const { stdout } = await cliOkInProcess(["check", "--", process.execPath, ...SERVERS.everything()]);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toBe("up  mcp-servers/everything 2.0.0  (protocol 2025-11-25, session era)");
    expect(lines[1]).toMatch(/^handshake [\d.]+m?s · ping [\d.]+m?s · tools\/list [\d.]+m?s$/);
    expect(lines[2]).toMatch(/^\d+ tools: .*\becho\b/);
  });

  it("prints one JSON document with --json", async () => {
    const { stdout } = await cliOkInProcess([
      "check",
      "--json",
      "--",
      process.execPath,
      ...SERVERS.everything(),
    ]);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({
      status: "up",
      healthy: true,
      era: "session",
      protocolVersion: "2025-11-25",
      server: { name: "mcp-servers/everything", version: "2.0.0" },
      error: null,
    });
    expect(doc.tools.length).toBeGreaterThan(5);
    expect(doc.tools.map((t: { name: string }) => t.name)).toContain("echo");
    expect(doc.toolsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.handshakeMs).toBeGreaterThan(0);
  });

  it("checks a remote server with --url", async () => {
    const port = await freePort();
    const server = await startRemote("streamableHttp", port);
    try {
      const { stdout } = await cliOkInProcess([
        "check",
        "--url",
        `http://127.0.0.1:${port}/mcp`,
        "--header",
        "X-Key: k1",
        "--json",
      ]);
      expect(JSON.parse(stdout)).toMatchObject({
        status: "up",
        healthy: true,
        target: `http://127.0.0.1:${port}/mcp`,
        server: { name: "mcp-servers/everything" },
      });
    } finally {
      await server.stop();
    }
  });

  it("exits 1 with one line for a server that will not start", async () => {
    const missing = await fail(["check", "--", "/nonexistent"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toBe(
      "mcpscope check: cannot start /nonexistent: command not found; check the command and your PATH\n",
    );
    const crashing = await fail([
      "check",
      "--",
      process.execPath,
      "-e",
      "console.error('no token'); process.exit(3)",
    ]);
    expect(crashing.stderr).toBe(
      "mcpscope check: the server exited with code 3 during the handshake: no token\n",
    );
  });

  it("names the exit code and stderr of a server that exits before the handshake's first write", async () => {
    const dir = await tempDir();
    try {
      const script = join(dir.path, "fail.sh");
      await writeFile(script, "#!/bin/sh\necho boom >&2\nexit 1\n", { mode: 0o755 });
      const expected = "mcpscope check: the server exited with code 1 during the handshake: boom\n";
      // A shell exits long before node's first write reaches its stdin: the write breaks the pipe.
      const inline = await fail(["check", "--data-dir", dir.path, "--", "sh", "-c", "echo boom >&2; exit 1"]);
      expect(inline).toMatchObject({ code: 1, stdout: "", stderr: expected });
      const file = await fail(["check", "--data-dir", dir.path, "--", script]);
      expect(file).toMatchObject({ code: 1, stdout: "", stderr: expected });
    } finally {
      await dir.cleanup();
    }
  });

  it("exits 1 for a URL nobody answers, and 2 for a usage error", async () => {
    const port = await freePort();
    const refused = await fail(["check", "--url", `http://127.0.0.1:${port}/mcp`, "--header", "X-Key: k1"]);
    expect(refused).toMatchObject({
      code: 1,
      stderr: `mcpscope check: cannot connect to 127.0.0.1:${port}: connection refused; is the server running?\n`,
    });
    // The SSE transport's EventSource keeps only the text of the network error: the same line all the same.
    const sse = await fail(["check", "--url", `http://127.0.0.1:${port}/mcp`, "--transport", "sse"]);
    expect(sse).toMatchObject({
      code: 1,
      stderr: `mcpscope check: cannot connect to 127.0.0.1:${port}: connection refused; is the server running?\n`,
    });
    // 6000 (X11) is on fetch's list of blocked ports: it never connects, whoever listens there.
    for (const transport of ["http", "sse"]) {
      const blocked = await fail(["check", "--url", "http://127.0.0.1:6000/mcp", "--transport", transport]);
      expect(blocked).toMatchObject({
        code: 1,
        stderr:
          "mcpscope check: cannot connect to 127.0.0.1:6000: fetch refuses port 6000 for safety (browsers block it too); serve it on another port\n",
      });
    }
    const usage = await fail(["check"]);
    expect(usage).toMatchObject({ code: 2 });
    expect(usage.stderr).toMatch(/^mcpscope check: no server to check; usage: mcpscope check /);
    const both = await fail(["check", "--url", "http://x/mcp", "--", "node"]);
    expect(both).toMatchObject({
      code: 2,
      stderr: "mcpscope check: give either --url or a command after --, not both\n",
    });
  });

  it("checks a configured server by --server, alone, and says when no config names it", async () => {
    const both = await fail(["check", "--server", "memory", "--url", "http://x/mcp"]);
    expect(both).toMatchObject({
      code: 2,
      stderr: "mcpscope check: give --server alone, not with --url or a command after --\n",
    });
    const dir = await tempDir();
    try {
      const home = join(dir.path, "home");
      const [program, ...args] = [process.execPath, ...SERVERS.memory()];
      await mkdir(home);
      await writeFile(
        join(home, ".claude.json"),
        JSON.stringify({ mcpServers: { mem: { command: program, args } } }),
      );
      const flags = ["--data-dir", dir.path, "--home", home];
      const { stdout } = await cliOkInProcess(["check", "--server", "mem", ...flags, "--json"]);
      expect(JSON.parse(stdout)).toMatchObject({ status: "up", server: { name: "memory-server" } });
      const missing = await fail(["check", "--server", "zz-no-such-server", ...flags]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^mcpscope check: no configured server "zz-no-such-server"; [^\n]+\n$/);
      const alone = await fail(["check", ...flags, "--", "true"]);
      expect(alone).toMatchObject({ code: 2, stderr: "mcpscope check: --home goes with --server\n" });
    } finally {
      await dir.cleanup();
    }
  });
});
