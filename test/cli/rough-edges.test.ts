/**
 * What a new user hits in the first hour at the terminal: usage errors exit 2 in one line, a closed pipe
 * ends quietly, unwritable output, unknown servers and an idle alert engine are named, `--home` works on
 * every config command, and the audit CSV's time is readable.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStats } from "../../electron/cli/commands/stats.js";
import { recordAdminAction } from "../../electron/monitor/audit/audit-log.js";
import { createEngine } from "../../electron/monitor/engine.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { StatsDocument } from "../../shared/domain.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { MCPSCOPE, ROOT, tempDir } from "../helpers/mcp.js";

let tmp: { path: string; cleanup: () => Promise<void> };
let data: string;

beforeAll(async () => {
  tmp = await tempDir("mcpscope-rough-edges-");
  data = join(tmp.path, "data");
  const db = openDb(join(data, "mcpscope.db"));
  try {
    db.prepare("INSERT INTO sessions (id, server, started_at) VALUES (?, ?, ?)").run(
      "s1",
      "files",
      Date.now(),
    );
    db.prepare("INSERT INTO sessions (id, server, started_at) VALUES (?, ?, ?)").run(
      "s2",
      "memory",
      Date.now(),
    );
    // A call each, hours ago: servers with calls recorded, none in the last hour.
    for (const [session, server] of [
      ["s1", "files"],
      ["s2", "memory"],
    ] as const)
      db.prepare(
        `INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome,
         bytes_in, bytes_out) VALUES (?, ?, 'c2s', '1', 'tools/call', ?, 3, 'ok', 1, 1)`,
      ).run(session, server, Date.now() - 3 * 3_600_000);
    // A failed call, hours ago: its outcome is shown once on its timeline line.
    const failedAt = Date.now() - 3 * 3_600_000;
    db.prepare("INSERT INTO sessions (id, server, started_at, ended_at) VALUES (?, ?, ?, ?)").run(
      "s3",
      "files",
      failedAt,
      failedAt + 327,
    );
    db.prepare(
      `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms,
       outcome, bytes_in, bytes_out) VALUES ('s3', 'files', 'c2s', '1', 'tools/call', 'no_such_tool', ?, 1,
       'tool_error', 1, 1)`,
    ).run(failedAt + 100);
    // Enough records that the export outlasts a pipe's buffer.
    for (let i = 0; i < 1500; i++)
      recordAdminAction(db, {
        action: "settings_change",
        actor: "test",
        target: `setting-${i}`,
        details: { i },
      });
  } finally {
    db.close();
  }
});
afterAll(() => tmp.cleanup());

const cli = (...args: string[]) => cliInProcess(args);

describe("usage errors in time and number flags exit 2 with one line", () => {
  it.each([
    [
      ["calls", "--since", "2x"],
      'mcpscope calls: --since: "2x" is not a time; use a duration back from now (1h, 7d) or ISO 8601 (2026-11-25T10:00:00Z)\n',
    ],
    [
      ["stats", "--since", "99999999999999999999d"],
      'mcpscope stats: --since: "99999999999999999999d" is too long; the most is 3650d (ten years)\n',
    ],
    [
      ["logs", "--until", "yesterday"],
      'mcpscope logs: --until: "yesterday" is not a time; use a duration back from now (1h, 7d) or ISO 8601 (2026-11-25T10:00:00Z)\n',
    ],
    [
      ["alerts", "silence", "alertname=x", "--for", "forever"],
      'mcpscope alerts: --for: "forever" is not a duration; use a number and a unit, like 30s, 5m, 24h or 7d\n',
    ],
    [["calls", "--limit", "abc"], 'mcpscope calls: --limit: "abc" is not a number; use 1 to 1000\n'],
    [["events", "--limit", "abc"], 'mcpscope events: --limit: "abc" is not a number; use 1 to 1000\n'],
    [
      ["events", "groups", "--limit", "ten"],
      'mcpscope events: --limit: "ten" is not a number; use 1 to 1000\n',
    ],
    [
      ["alerts", "history", "--limit", "abc"],
      'mcpscope alerts: --limit: "abc" is not a number; use 1 to 1000\n',
    ],
    [["logs", "--limit", "abc"], 'mcpscope logs: --limit: "abc" is not a number; use 1 to 100000\n'],
    [["logs", "--limit", "100001"], "mcpscope logs: --limit: use 1 to 100000\n"],
    [
      ["logs", "patterns", "--limit", "abc"],
      'mcpscope logs: --limit: "abc" is not a number; use 1 to 1000\n',
    ],
    [["calls", "--limit", "1.5"], "mcpscope calls: --limit: use 1 to 1000\n"],
    [["alerts", "history", "--limit", "0"], "mcpscope alerts: --limit: use 1 to 1000\n"],
  ])("%j", async (args, message) => {
    const run = await cli(...args, "--data-dir", data);
    expect(run.stderr).toBe(message);
    expect(run.status).toBe(2);
  });
});

describe("every command refuses what it does not take: exit 2, one line", () => {
  it.each([
    [["stats", "foo"], 'mcpscope stats: unexpected "foo"; see `mcpscope stats --help`'],
    [["calls", "foo"], 'mcpscope calls: unexpected "foo"; see `mcpscope calls --help`'],
    [["stats", "-x"], "mcpscope stats: unknown flag -x for `mcpscope stats`; see `mcpscope stats --help`"],
    [
      ["audit", "verify", "--since", "1h"],
      "mcpscope audit: --since is not an option of `mcpscope audit verify`; see `mcpscope audit --help`",
    ],
    [
      ["audit", "export", "--json"],
      "mcpscope audit: --json is not an option of `mcpscope audit export`; see `mcpscope audit --help`",
    ],
    [["db", "info", "x"], 'mcpscope db: unexpected "x"; see `mcpscope db info --help`'],
    [["db", "check", "-x"], "mcpscope db: unknown flag -x for `mcpscope db`; see `mcpscope db --help`"],
    [["instrumented", "x"], 'mcpscope instrumented: unexpected "x"; see `mcpscope instrumented --help`'],
    [["alerts", "history", "x"], 'mcpscope alerts: unexpected "x"; see `mcpscope alerts history --help`'],
    [["alerts", "silences", "x"], 'mcpscope alerts: unexpected "x"; see `mcpscope alerts silences --help`'],
    [
      ["alerts", "--since", "1h"],
      "mcpscope alerts: --since is not an option of `mcpscope alerts list`; see `mcpscope alerts --help`",
    ],
    [["logs", "patterns", "x"], 'mcpscope logs: unexpected "x"; see `mcpscope logs patterns --help`'],
    [["logs", "x"], 'mcpscope logs: unexpected "x"; did you mean `mcpscope logs patterns`?'],
    [["check", "foo"], 'mcpscope check: unexpected "foo"; see `mcpscope check --help`'],
    // To stdout, so that a report these fail to refuse leaves no file behind.
    [
      ["report", "--format", "md", "--section", "tools", "--output", "-"],
      "mcpscope report: --section applies to --format csv only",
    ],
    [
      ["report", "--format", "md", "--paper", "letter", "--output", "-"],
      "mcpscope report: --paper applies to --format pdf only",
    ],
    [["report", "--paper", "a4", "--output", "-"], "mcpscope report: --paper applies to --format pdf only"],
    [
      ["rules", "check", "a.yaml", "b.yaml"],
      'mcpscope rules: unexpected "b.yaml"; see `mcpscope rules check --help`',
    ],
    [["check", "--timeout", "0s", "--", "true"], /^mcpscope check: --timeout: "0s" is no time at all; /],
    [["alerts", "silence", "a=b", "--for", "0s"], /^mcpscope alerts: --for: "0s" is no time at all; /],
    [["stats", "--since", "10m", "--until", "1h"], /^mcpscope stats: the range is empty: --since 10m /],
    [["calls", "--since", "2026-12-06", "--until", "2026-12-05"], /^mcpscope calls: the range is empty: /],
    [["logs", "--until", "2h", "--since", "1h"], /^mcpscope logs: the range is empty: /],
  ])("%j", async (args, message) => {
    const run = await cli(...args, "--data-dir", data);
    if (typeof message === "string") expect(run.stderr).toBe(`${message}\n`);
    else expect(run.stderr).toMatch(message);
    expect(run.stderr.split("\n")).toHaveLength(2);
    expect(run.status).toBe(2);
  });

  it("echoes a URL that is not one with its secrets masked", async () => {
    const key = "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    const typed = `mcp.example.com/mcp?api_key=${key}`;
    for (const args of [
      ["proxy", "--upstream", typed],
      ["check", "--url", typed],
      ["serve", "--otlp-endpoint", typed],
    ]) {
      const run = await cli(...args, "--data-dir", data);
      expect(run.stderr).toMatch(
        /^mcpscope \w+: --[a-z-]+ "mcp\.example\.com\/mcp\?api_key=.+" is not a URL/,
      );
      expect(run.stderr).not.toContain(key.slice(8));
      expect(run.stderr.split("\n")).toHaveLength(2);
      expect(run.status).toBe(2);
    }
  });

  it("-h is --help everywhere", async () => {
    for (const args of [
      ["stats", "-h"],
      ["audit", "verify", "-h"],
      ["alerts", "silence", "-h"],
    ]) {
      const run = await cli(...args, "--data-dir", data);
      expect(run.stdout).toMatch(/^usage: mcpscope /);
      expect(run.status).toBe(0);
    }
  });
});

describe("the command's name", () => {
  it.each([
    [["stast"], 'mcpscope: unknown command "stast"; did you mean `mcpscope stats`?'],
    [["sesion", "x"], 'mcpscope: unknown command "sesion"; did you mean `mcpscope session`?'],
    [["instrumnet"], 'mcpscope: unknown command "instrumnet"; did you mean `mcpscope instrument`?'],
    [["Calls"], 'mcpscope: unknown command "Calls"; did you mean `mcpscope calls`?'],
    [["xyz"], 'mcpscope: unknown command "xyz"; run `mcpscope --help` for the list'],
    [["statistics"], 'mcpscope: unknown command "statistics"; run `mcpscope --help` for the list'],
  ])("%j: a close one is suggested, none otherwise", async (args, message) => {
    const run = await cli(...args);
    expect(run.stderr).toBe(`${message}\n`);
    expect(run.status).toBe(2);
  });
});

describe("a flag before the command", () => {
  it.each([
    [
      ["--data-dir", "DIR", "stats"],
      "--data-dir goes after the command, as in `mcpscope stats --data-dir DIR`",
    ],
    [["--data-dir=/tmp/x"], "--data-dir goes after the command, as in `mcpscope stats --data-dir DIR`"],
    [["--json", "stats"], "--json goes after the command, as in `mcpscope stats --json`"],
    [["--since", "1h", "calls"], "--since goes after the command, as in `mcpscope calls --since TIME`"],
    // The named command does not take it: another that does is the example.
    [["--json", "run", "x"], "--json goes after the command, as in `mcpscope stats --json`"],
    [["--upstream", "http://x"], "--upstream goes after the command, as in `mcpscope proxy --upstream URL`"],
    [
      ["--schedule", "weekly"],
      "--schedule goes after the command, as in `mcpscope report schedule runs --schedule NAME`",
    ],
    // A command whose subcommands take different flags: the one that takes it, the one named first.
    [
      ["--for", "1h", "alerts"],
      "--for goes after the command, as in `mcpscope alerts silence --for DURATION`",
    ],
    [
      ["--for", "1h", "alerts", "pause"],
      "--for goes after the command, as in `mcpscope alerts pause --for DURATION`",
    ],
    [
      ["--status", "firing", "alerts"],
      "--status goes after the command, as in `mcpscope alerts --status STATE`",
    ],
    [
      ["--record", "7", "audit"],
      "--record goes after the command, as in `mcpscope audit digest --record ID`",
    ],
    [["--bogus", "stats"], "no command takes --bogus; run `mcpscope --help` for the list"],
    // No short flag but -h and -v: another is no flag at all, not a command.
    [["-x", "stats"], "-x is not a flag mcpscope takes; see `mcpscope --help`"],
    [["-j"], "-j is not a flag mcpscope takes; see `mcpscope --help`"],
  ])("%j says where it goes: exit 2, one line", async (args, message) => {
    const run = await cli(...args);
    expect(run.stderr).toBe(`mcpscope: ${message}\n`);
    expect(run.status).toBe(2);
  });

  it("--help, -h, --version and -v still answer first", async () => {
    expect((await cli("--help")).stdout).toMatch(/^mcpscope .* monitor the MCP servers/);
    expect((await cli("-h", "stats")).stdout).toMatch(/^mcpscope .* monitor the MCP servers/);
    expect((await cli("--version")).stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect((await cli("-v")).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("one-line failures name the command; help and counts read right", () => {
  it.each([
    [["alerts", "unsilence", "nope"], 1, /^mcpscope alerts: no active silence nope\n$/],
    [["tools", "approve", "--server", "nope"], 1, /^mcpscope tools: .*nope.*\n$/],
    [["session", "nope"], 1, /^mcpscope session: no session "nope"/],
    [
      ["rules", "test", "/nonexistent/tests.yaml"],
      2,
      /^mcpscope rules: cannot read \/nonexistent\/tests.yaml: ENOENT\n$/,
    ],
    [
      ["rules", "check", "/nonexistent/rules.yaml"],
      2,
      /^mcpscope rules: cannot read \/nonexistent\/rules.yaml: ENOENT\n$/,
    ],
  ] as const)("%j", async (args, status, line) => {
    const run = await cli(...args, "--data-dir", data);
    expect(run.stderr).toMatch(line);
    expect(run.stderr.split("\n")).toHaveLength(2);
    expect(run.status).toBe(status);
  });

  it("`mcpscope help CMD` prints CMD's help", async () => {
    const help = await cli("help", "stats");
    expect(help.stdout).toMatch(/^usage: mcpscope stats /);
    expect(help.status).toBe(0);
    expect((await cli("help", "report", "schedule")).stdout).toMatch(/^usage: mcpscope report schedule /);
    expect((await cli("help")).stdout).toContain("mcpscope help COMMAND");
    expect((await cli("help", "nope")).status).toBe(2);
    // Help never runs what follows the command's name.
    const marker = join(tmp.path, "ran");
    for (const words of [
      ["check", "--", "sh", "-c", `touch ${marker}`],
      ["run", "sh", "-c", `touch ${marker}`],
    ]) {
      const shown = await cli("help", ...words);
      expect(shown.stdout).toMatch(new RegExp(`^usage: mcpscope ${words[0]} `));
      expect(existsSync(marker)).toBe(false);
    }
  });

  it("counts one call and one error in the singular", () => {
    const op = { method: "tools/call", target: "x", calls: 1, errors: 1, bytes_in: 0, bytes_out: 0 };
    const latency = { p50: 1, p95: 1, p99: 1, max: 1 };
    const doc = {
      since: "2026-12-06T13:00:00.000Z",
      until: "2026-12-06T14:00:00.000Z",
      servers: [
        { server: "files", calls: 1, errors: 1, error_rate: 1, operations: [{ ...op, latency_ms: latency }] },
      ],
    } as unknown as StatsDocument;
    expect(renderStats(doc)).toContain("files: 1 call, 1 error (100.0%)");
  });
});

describe("session", () => {
  it("shows a call's outcome once", async () => {
    const run = await cli("session", "s3", "--data-dir", data);
    expect(run.status).toBe(0);
    const line = run.stdout.split("\n").find((l) => l.includes("no_such_tool"));
    expect(line).toMatch(/ {2}CALL {2}tools\/call no_such_tool → tool_error \(1 ms\)$/);
  });
});

describe("audit export", () => {
  it("ends quietly when the reader closes the pipe early (| head)", async () => {
    const child = spawn(process.execPath, [MCPSCOPE, "audit", "export", "--data-dir", data], { cwd: ROOT });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy(); // what `head` does after its first lines
    const code = await new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("names an output folder that does not exist in one line, exit 1", async () => {
    const file = join(tmp.path, "nonexistent", "x");
    const run = await cli("audit", "export", "--output", file, "--data-dir", data);
    expect(run.stderr).toBe(
      `mcpscope audit: cannot write ${file}: the folder ${join(tmp.path, "nonexistent")} does not exist\n`,
    );
    expect(run.status).toBe(1);
  });

  it("writes the CSV's time as ISO 8601 UTC", async () => {
    const file = join(tmp.path, "audit.csv");
    expect(
      (await cli("audit", "export", "--format", "csv", "--output", file, "--data-dir", data)).status,
    ).toBe(0);
    const [header, first] = (await readFile(file, "utf8")).split("\r\n");
    expect(header?.split(",").slice(0, 3)).toEqual(["id", "time", "time_ms"]);
    expect(first?.split(",")[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe("stats --server", () => {
  it("names a server with no traffic and lists the known ones", async () => {
    const run = await cli("stats", "--server", "nosuch", "--data-dir", data);
    expect(run.stderr).toBe(
      'mcpscope stats: no server named "nosuch" has recorded calls; known: files, memory\n',
    );
    expect(run.status).toBe(1);
  });

  it("a known server without calls in the range is not an error", async () => {
    const run = await cli("stats", "--server", "files", "--data-dir", data);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^No calls between/);
  });
});

describe("alerts", () => {
  it("says that nothing evaluates the rules while no engine runs, and not while one does", async () => {
    const idle = await cli("alerts", "--data-dir", data);
    expect(idle.status).toBe(0);
    expect(idle.stdout).toBe(
      "no alerts firing or pending (mcpscope alerts history shows past ones)\nnothing is evaluating the rules now: no engine runs on this data dir (start the app or `mcpscope serve`); these are the states when one last ran\n",
    );
    expect(JSON.parse((await cli("alerts", "--json", "--data-dir", data)).stdout)).toEqual({
      alerts: [],
      evaluating: false,
    });

    const engine = await createEngine({ dataDir: data, inventory: false, metrics: { collector: false } });
    try {
      expect((await cli("alerts", "--data-dir", data)).stdout).toBe(
        "no alerts firing or pending (mcpscope alerts history shows past ones)\n",
      );
      expect(JSON.parse((await cli("alerts", "--json", "--data-dir", data)).stdout)).toEqual({
        alerts: [],
        evaluating: true,
      });
    } finally {
      await engine.close();
    }
    expect((await cli("alerts", "--data-dir", data)).stdout).toMatch(/nothing is evaluating the rules now/);
  });
});

describe("--home on every command that works on client configs", () => {
  it("instrumented and uninstrument take --home, as instrument does", async () => {
    const home = join(tmp.path, "home");
    const other = join(tmp.path, "other-home");
    const config = join(home, ".cursor", "mcp.json");
    await mkdir(join(home, ".cursor"), { recursive: true });
    await mkdir(other, { recursive: true });
    const original = '{ "mcpServers": { "files": { "command": "npx", "args": ["-y", "server-files"] } } }\n';
    await writeFile(config, original);
    const dir = ["--data-dir", join(tmp.path, "home-data")];
    const who = ["--client", "cursor", "--server", "files"];
    expect((await cli("instrument", "--home", home, ...who, ...dir)).status).toBe(0);

    const listed = async (h: string) =>
      (
        JSON.parse((await cli("instrumented", "--home", h, "--json", ...dir)).stdout) as {
          entries: Array<{ server: string }>;
        }
      ).entries;
    expect((await listed(home)).map((e) => e.server)).toEqual(["files"]);
    expect(await listed(other)).toEqual([]);

    const elsewhere = await cli("uninstrument", "--home", other, ...who, ...dir);
    expect(elsewhere.status).toBe(1);
    const undo = await cli("uninstrument", "--home", home, ...who, ...dir);
    expect(undo.stderr).toBe("");
    expect(undo.status).toBe(0);
    expect(await readFile(config, "utf8")).toBe(original);
  });
});
