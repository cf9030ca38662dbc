/**
 * `mcpscope logs --follow` tails live across several wrappers writing at once: every line once, in each
 * writer's order, each shown live (how soon is printed, a figure that depends on the load); Ctrl-C ends it
 * with exit code 0.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { LogPatternsDocument, LogRecord } from "../../shared/logs.js";
import { killAll, startRaw } from "../fixtures/raw-client.js";
import { MCPSCOPE, mcpscope, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterEach(() => killAll());
afterAll(() => dir.cleanup());

/**
 * Servers run until the test closes their stdin, as servers do: the lines are followed while their writers
 * run. (A wrapper whose server exits at once stores what it holds within a bounded time at its exit, which
 * a loaded machine can use up before its observer has even started.)
 */
const UNTIL_STDIN_ENDS = 'process.stdin.resume(); process.stdin.on("end", () => process.exit(0));';

/** A server that writes `count` stderr lines 10 ms apart, then runs until its stdin ends. */
const chatty = (name: string, count: number) =>
  `let i = 0; const t = setInterval(() => { console.error("${name} line " + i); if (++i === ${count}) clearInterval(t); }, 10); ${UNTIL_STDIN_ENDS}`;

describe("mcpscope logs --follow", () => {
  it("follows a server that has not run yet, saying once that nothing was recorded under its name", async () => {
    const own = await tempDir();
    onTestFinished(() => own.cleanup());
    const dataDir = own.path;
    const follow = startRaw(process.execPath, [
      MCPSCOPE,
      ...["logs", "--follow", "--server", "later", "--data-dir", dataDir],
    ]);
    // Said at once (a typo would otherwise wait for records that never come), then followed all the same.
    await follow.waitForStderr('no server named "later"');
    const server = startRaw(process.execPath, [
      MCPSCOPE,
      ...["run", "--name", "later", "--data-dir", dataDir, "--"],
      ...[process.execPath, "-e", `console.error("hello from later"); ${UNTIL_STDIN_ENDS}`],
    ]);
    await follow.waitForStdout("hello from later");
    server.end();
    await server.done;
    follow.kill("SIGINT");
    expect((await follow.done).code).toBe(0);
    expect(follow.stderr().toString()).toBe(
      'mcpscope logs: no server named "later" has recorded logs; known: mcpscope; following it anyway (Ctrl-C to stop)\n',
    );
  });

  it("shows lines from two wrappers writing at once, live, once each", async () => {
    const dataDir = dir.path;
    const db = openDb(databasePath(dataDir));
    db.prepare(
      "INSERT INTO logs (time, level, server, source, message) VALUES (?, 'info', 'old', 'stderr', 'backlog line')",
    ).run(Date.now());
    db.close();

    const follow = startRaw(process.execPath, [
      MCPSCOPE,
      "logs",
      "--follow",
      "--json",
      "--data-dir",
      dataDir,
      "--limit",
      "5",
    ]);
    await follow.waitForStdout("backlog line");

    const COUNT = 30;
    const wrappers = ["alpha", "beta"].map((name) => {
      const w = startRaw(process.execPath, [
        MCPSCOPE,
        "run",
        "--name",
        name,
        "--data-dir",
        dataDir,
        "--",
        process.execPath,
        "-e",
        chatty(name, COUNT),
      ]);
      return { name, w };
    });
    const delays = await Promise.all(
      wrappers.map(async ({ name, w }) => {
        const last = `${name} line ${COUNT - 1}`;
        await w.waitForStderr(last); // the wrapper forwards the server's stderr at once: "written"
        const written = Date.now();
        // How soon is a figure, not a bound: on a loaded machine the wrapper's store and the follower's
        // poll both wait for a core.
        await follow.waitForStdout(last);
        return Date.now() - written;
      }),
    );
    for (const { w } of wrappers) {
      w.end();
      expect((await w.done).code).toBe(0);
    }
    follow.kill("SIGINT");
    expect((await follow.done).code).toBe(0);

    // How soon follow printed each wrapper's last line: a figure (it depends on the machine's load).
    console.log(`logs --follow: last lines shown ${delays.map((d) => `${d} ms`).join(", ")} after written`);
    const records = follow
      .stdout()
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogRecord);
    expect(records[0]?.message).toBe("backlog line");
    for (const name of ["alpha", "beta"]) {
      expect(records.filter((r) => r.server === name).map((r) => r.message)).toEqual(
        Array.from({ length: COUNT }, (_, i) => `${name} line ${i}`),
      );
    }
    const ids = records.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it("filters while following, and rejects --until with --follow in one line", async () => {
    await expect(
      mcpscope(["logs", "--follow", "--until", "1h", "--data-dir", dir.path]),
    ).rejects.toMatchObject({
      code: 2,
      stderr: "mcpscope logs: --follow and --until do not go together\n",
    });
    await expect(mcpscope(["logs", "--level", "loud", "--data-dir", dir.path])).rejects.toMatchObject({
      code: 2,
    });
    const { stdout } = await mcpscope([
      "logs",
      "--data-dir",
      dir.path,
      "--server",
      "beta",
      "--grep",
      "line 7",
      "--json",
    ]);
    expect((JSON.parse(stdout) as { logs: LogRecord[] }).logs.map((r) => r.message)).toEqual(["beta line 7"]);
    const patterns = await mcpscope(["logs", "patterns", "--data-dir", dir.path, "--json"]);
    const doc = JSON.parse(patterns.stdout) as LogPatternsDocument;
    expect(doc.patterns.map((p) => [p.server, p.template, p.count]).sort()).toEqual([
      ["alpha", "alpha line <*>", 30],
      ["beta", "beta line <*>", 30],
      ["old", "backlog line", 1],
    ]);
    expect(doc.levels.info).toBe(61);
  });
});
