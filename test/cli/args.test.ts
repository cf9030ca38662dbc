import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../electron/cli/args.js";
import { defaultServerName } from "../../electron/cli/commands/run.js";
import { parseListen } from "../../electron/cli/commands/serve.js";
import { parseDuration, parseTimeSpec } from "../../electron/monitor/time.js";
import { mcpscope } from "../helpers/mcp.js";

describe("flags", () => {
  it("parses values, booleans, = forms and the command after --", () => {
    const args = parseArgs("run", ["--name", "files", "--timeout=5s", "--", "npx", "--yes", "pkg"], {
      name: { kind: "string", help: "" },
      timeout: { kind: "string", help: "" },
    });
    expect(args.flags).toEqual({ name: "files", timeout: "5s" });
    expect(args.rest).toEqual(["npx", "--yes", "pkg"]);
  });

  it("rejects unknown flags and missing values with one line pointing at --help", () => {
    expect(() => parseArgs("stats", ["--bogus"], {})).toThrow(
      new UsageError("unknown flag --bogus for `mcpscope stats`; see `mcpscope stats --help`"),
    );
    expect(() =>
      parseArgs("stats", ["--since"], { since: { kind: "string", help: "", placeholder: "TIME" } }),
    ).toThrow(/--since needs a value \(TIME\)/);
  });

  it("reads durations and times", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(() => parseDuration("5 minutes")).toThrow(/not a duration/);
    expect(parseTimeSpec("1h", 10_000_000)).toBe(10_000_000 - 3_600_000);
    expect(parseTimeSpec("2026-11-25T10:00:00Z")).toBe(Date.UTC(2026, 10, 25, 10));
    expect(() => parseTimeSpec("yesterday")).toThrow(/not a time/);
  });

  it("names a server from its command", () => {
    expect(defaultServerName("npx", ["-y", "@modelcontextprotocol/server-filesystem", "/home/me"])).toBe(
      "server-filesystem",
    );
    expect(defaultServerName("uvx", ["mcp-server-git@1.2.0"])).toBe("mcp-server-git");
    expect(defaultServerName("/usr/local/bin/my-server", [])).toBe("my-server");
    expect(defaultServerName("node", ["/srv/weather/index.js"])).toBe("index");
    expect(defaultServerName("C:\\tools\\srv.exe", [])).toMatch(/srv/);
  });

  it("parses --listen", () => {
    expect(parseListen("127.0.0.1:7800")).toEqual({ host: "127.0.0.1", port: 7800 });
    expect(parseListen("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(() => parseListen("7800")).toThrow(/not HOST:PORT/);
  });
});

describe("the mcpscope command", () => {
  it("exits 2 with one line for an unknown flag or command", async () => {
    const flag = await mcpscope(["stats", "--nope"]).catch((e: { code: number; stderr: string }) => e);
    expect(flag).toMatchObject({ code: 2 });
    expect((flag as { stderr: string }).stderr.trim().split("\n")).toHaveLength(1);
    const command = await mcpscope(["frobnicate"]).catch((e: { code: number; stderr: string }) => e);
    expect(command).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command") });
  });

  it("exits 127 with one line when the server cannot start", async () => {
    const result = await mcpscope(["run", "--", "/nonexistent/server-binary"]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(result).toMatchObject({ code: 127 });
    expect((result as { stderr: string }).stderr).toMatch(
      /^mcpscope: cannot start \/nonexistent\/server-binary: command not found/,
    );
  });

  it("prints help that teaches", async () => {
    const { stdout } = await mcpscope(["--help"]);
    for (const command of ["run", "serve", "stats", "calls"]) expect(stdout).toContain(`  ${command} `);
    const run = await mcpscope(["run", "--help"]);
    expect(run.stdout).toContain('"command": "mcpscope"');
  });
});
