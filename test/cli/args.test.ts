import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../electron/cli/args.js";
import { defaultServerName } from "../../electron/cli/commands/run.js";
import { parseListen } from "../../electron/cli/commands/serve.js";
import { parseDuration, parseTimeSpec } from "../../electron/monitor/time.js";
import type { EventRecord } from "../../shared/events.js";
import { mcpscope, mcpscopeJson, tempDir } from "../helpers/mcp.js";

describe("flags", () => {
  it("parses values, booleans, = forms and the command after --", () => {
    const args = parseArgs(
      "run",
      ["--name", "files", "--timeout=5s", "--", "npx", "--yes", "pkg"],
      { name: { kind: "string", help: "" }, timeout: { kind: "string", help: "" } },
      true,
    );
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

  it("rejects words a command does not take and unknown short flags; -h is --help", () => {
    expect(() => parseArgs("calls", ["foo"], {}, { positionals: 0 })).toThrow(
      new UsageError('unexpected "foo"; see `mcpscope calls --help`'),
    );
    expect(() => parseArgs("stats", ["foo"], {})).toThrow(/unexpected "foo"/);
    expect(() => parseArgs("stats", ["-x"], {}, { positionals: 0 })).toThrow(
      new UsageError("unknown flag -x for `mcpscope stats`; see `mcpscope stats --help`"),
    );
    expect(parseArgs("stats", ["-h"], {}, { positionals: 0 }).flags.help).toBe(true);
    expect(parseArgs("session", ["abc"], {}, { positionals: 1 }).positionals).toEqual(["abc"]);
    expect(() => parseArgs("session", ["abc", "def"], {}, { positionals: 1 })).toThrow(/unexpected "def"/);
    // After --, words are positionals (counted), unless the command runs what follows.
    expect(parseArgs("session", ["--", "-odd"], {}, { positionals: 1 }).positionals).toEqual(["-odd"]);
    expect(() => parseArgs("stats", ["--", "foo"], {}, { positionals: 0 })).toThrow(/unexpected "foo"/);
    expect(parseArgs("check", ["--", "npx", "-y"], {}, { commandAfterDashes: true }).rest).toEqual([
      "npx",
      "-y",
    ]);
  });

  it("refuses a flag that belongs to a sibling subcommand, and an unknown subcommand", () => {
    const specs = {
      json: { kind: "boolean", help: "" },
      since: { kind: "string", help: "", placeholder: "TIME" },
    } as const;
    const shape = { subcommands: { verify: { flags: ["json"] }, export: { flags: ["since"] } } };
    expect(() => parseArgs("audit", ["verify", "--since", "1h"], specs, shape)).toThrow(
      new UsageError("--since is not an option of `mcpscope audit verify`; see `mcpscope audit --help`"),
    );
    expect(() => parseArgs("audit", ["export", "--json"], specs, shape)).toThrow(/--json is not an option/);
    expect(() => parseArgs("audit", ["export", "x"], specs, shape)).toThrow(/unexpected "x"/);
    expect(() => parseArgs("audit", ["frob"], specs, shape)).toThrow(
      new UsageError('unknown audit command "frob"; use verify, export'),
    );
    expect(parseArgs("audit", ["--json", "verify"], specs, shape).positionals).toEqual(["verify"]);
    const listing = { ...shape, defaultSubcommand: "verify" };
    expect(() => parseArgs("audit", ["--since", "1h"], specs, listing)).toThrow(
      /not an option of `mcpscope audit verify`/,
    );
  });

  it("takes a value that starts with dashes unless it is one of the command's flags", () => {
    const specs = {
      grep: { kind: "string", help: "", placeholder: "TEXT" },
      json: { kind: "boolean", help: "" },
    } as const;
    expect(parseArgs("logs", ["--grep", "-->"], specs).flags.grep).toBe("-->");
    expect(parseArgs("logs", ["--grep", "--verbose"], specs).flags.grep).toBe("--verbose");
    expect(() => parseArgs("logs", ["--grep", "--json"], specs)).toThrow(/--grep needs a value \(TEXT\)/);
    expect(() => parseArgs("logs", ["--grep", "--data-dir=x"], specs)).toThrow(/--grep needs a value/);
    // `--` ends the flags: `--data-dir $UNSET -- cmd` misses a value, it does not name a folder `--`.
    expect(() => parseArgs("run", ["--data-dir", "--", "echo"], {}, true)).toThrow(
      /--data-dir needs a value/,
    );
  });

  it("refuses an empty DIR, FILE or NAME, and takes one of spaces (a client config's key may be one)", () => {
    const specs = { name: { kind: "string", help: "", placeholder: "NAME" } } as const;
    expect(() => parseArgs("run", ["--data-dir", ""], specs, true)).toThrow(/--data-dir is empty/);
    expect(() => parseArgs("run", ["--name=", "--", "echo"], specs, true)).toThrow(/--name is empty/);
    expect(parseArgs("run", ["--name", " ", "--", "echo"], specs, true).flags.name).toBe(" ");
  });

  it("refuses an empty --since/--until range, counting the default --since", () => {
    const specs = {
      since: { kind: "string", help: "", placeholder: "TIME", default: "1h" },
      until: { kind: "string", help: "", placeholder: "TIME" },
    } as const;
    expect(() => parseArgs("stats", ["--since", "10m", "--until", "1h"], specs)).toThrow(
      /^the range is empty: --since 10m \(.+Z\) is not before --until 1h \(.+Z\)$/,
    );
    expect(() => parseArgs("stats", ["--until", "2h"], specs)).toThrow(/--since 1h \(the default, /);
    // Without --until the range ends now: a --since in the future is empty too.
    expect(() => parseArgs("stats", ["--since", "2999-01-01"], specs)).toThrow(
      /^the range is empty: --since 2999-01-01 \(.+Z\) is not before now \(.+Z\)$/,
    );
    expect(() =>
      parseArgs("stats", ["--since", "2026-11-25T10:00:00Z", "--until", "2026-11-25T10:00:00Z"], specs),
    ).toThrow(/the range is empty/);
    expect(parseArgs("stats", ["--since", "2h", "--until", "1h"], specs).flags).toMatchObject({
      since: "2h",
    });
    // `report` counts a duration back from --until, so 10m before an hour ago is a range.
    expect(
      parseArgs("report", ["--since", "10m", "--until", "1h"], specs, { sinceFromUntil: true }).flags,
    ).toMatchObject({ since: "10m" });
  });

  it("refuses a zero DURATION", () => {
    const specs = { for: { kind: "string", help: "", placeholder: "DURATION" } } as const;
    expect(() => parseArgs("alerts", ["--for", "0s"], specs)).toThrow(
      new UsageError('--for: "0s" is no time at all; give a positive duration, like 30s or 5m'),
    );
    expect(parseArgs("alerts", ["--for", "1ms"], specs).flags.for).toBe("1ms");
  });

  it("reads a time without an offset, and a date alone, as local time", () => {
    const tz = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      expect(parseTimeSpec("2026-12-06")).toBe(Date.UTC(2026, 11, 6, 5));
      expect(parseTimeSpec("2026-12-06T09:00")).toBe(Date.UTC(2026, 11, 6, 14));
      expect(parseTimeSpec("2026-07-01")).toBe(Date.UTC(2026, 6, 1, 4));
      expect(parseTimeSpec("2026-12-06T00:00:00Z")).toBe(Date.UTC(2026, 11, 6));
      expect(() => parseTimeSpec("2026-02-30")).toThrow(/not a time/);
      // A month or a year alone: its first day's midnight, local as well.
      expect(parseTimeSpec("2026-12")).toBe(Date.UTC(2026, 11, 1, 5));
      expect(parseTimeSpec("2026")).toBe(Date.UTC(2026, 0, 1, 5));
      // Where clocks moved at midnight on that day in 2000 (not in 2026), the day's own midnight.
      process.env.TZ = "America/Sao_Paulo";
      expect(parseTimeSpec("2026-10-08")).toBe(Date.UTC(2026, 9, 8, 3));
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
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
    expect(defaultServerName("node", ["/srv/weather/index.js"])).toBe("weather");
    expect(defaultServerName("node", ["--env-file", ".env", "/srv/weather/dist/index.js"])).toBe("weather");
    expect(defaultServerName("node", ["/srv/tools/geo-lookup.mjs"])).toBe("geo-lookup");
    expect(defaultServerName("python3", ["-W", "ignore", "-m", "mcp_server_git"])).toBe("mcp_server_git");
    expect(defaultServerName("python3.12", ["server.py"])).toBe("server");
    // Inline code names nothing (and may hold a secret): the interpreter names the server.
    const code = 'console.error("OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz123456")';
    expect(defaultServerName("/usr/bin/node", ["-e", code])).toBe("node");
    expect(defaultServerName("python3", ["-c", "TOKEN='ghp_abcdefghijklmnopqrstuvwxyz0123456789'"])).toBe(
      "python3",
    );
    expect(defaultServerName("deno", ["run", "-A", "main.ts"])).toBe("main");
    for (const [command, args] of [
      ["node", ["-pe", "require('x')('sk-live-abcdef123456')"]],
      ["node", ["--eval=process.env.TOKEN='sk-live-abcdef123456'"]],
      ["node", ["--print", "1"]],
      ["python3", ["-uc", "TOKEN='sk-live-abcdef123456'"]],
      ["deno", ["eval", "console.log('sk-live-abcdef123456')"]],
    ] as const)
      expect(defaultServerName(command, [...args]), args.join(" ")).toBe(command);
    expect(defaultServerName("tsx", ["watch", "src/server.ts"])).toBe("server");
    expect(defaultServerName("node", ["--check", "srv.js"])).toBe("srv");
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

  it("exits 127 with one line when the server cannot start, and records why as an event", async () => {
    const dir = await tempDir();
    try {
      const data = join(dir.path, "data");
      const run = (dataDir: string) =>
        mcpscope(["run", "--data-dir", dataDir, "--name", "nocmd", "--", "/nonexistent/server-binary"]).catch(
          (e: { code: number; stderr: string }) => e,
        );
      const result = await run(data);
      expect(result).toMatchObject({ code: 127 });
      expect((result as { stderr: string }).stderr).toMatch(
        /^mcpscope: cannot start \/nonexistent\/server-binary: command not found[^\n]*\n$/,
      );
      const { events } = await mcpscopeJson<{ events: EventRecord[] }>([
        "events",
        "--data-dir",
        data,
        "--server",
        "nocmd",
      ]);
      expect(events.find((e) => e.type === "process.start_failed")).toMatchObject({
        category: "system",
        message:
          "nocmd: cannot start /nonexistent/server-binary: command not found; check the command and your PATH",
      });
      // A data dir it cannot write: the same one line and exit code, nothing else.
      const file = join(dir.path, "a-file");
      await writeFile(file, "");
      const unwritable = await run(join(file, "data"));
      expect(unwritable).toMatchObject({ code: 127, stderr: (result as { stderr: string }).stderr });
    } finally {
      await dir.cleanup();
    }
  });

  it("prints help that teaches", async () => {
    const { stdout } = await mcpscope(["--help"]);
    for (const command of ["run", "serve", "stats", "calls"]) expect(stdout).toContain(`  ${command} `);
    const run = await mcpscope(["run", "--help"]);
    expect(run.stdout).toContain('"command": "mcpscope"');
  });
});
