/**
 * `--server NAME` that matches nothing: an unknown name is named as such, with the known servers, in one
 * line and exit 1 by every command that filters by server; a known server with nothing under the filters
 * is an empty answer that names the filters, not advice to wrap a server.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addManualServer } from "../../electron/monitor/discovery/manual-servers.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { insertLogs, tempStore } from "../logs/store.js";

let store: Awaited<ReturnType<typeof tempStore>>;

beforeAll(async () => {
  store = await tempStore();
  const session = store.db.prepare("INSERT INTO sessions (id, server, started_at) VALUES (?, ?, ?)");
  session.run("s1", "files", Date.now());
  session.run("s2", "memory", Date.now());
  // A call each, hours ago: servers with calls recorded, none in the last hour.
  const call = store.db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, started_at, duration_ms, outcome,
     bytes_in, bytes_out) VALUES (?, ?, 'c2s', '1', 'tools/call', ?, 3, 'ok', 1, 1)`,
  );
  call.run("s1", "files", Date.now() - 3 * 3_600_000);
  call.run("s2", "memory", Date.now() - 3 * 3_600_000);
  insertLogs(store.db, [
    { server: "files", message: "started" },
    // A server mcpscope runs: its stderr is logged, but no client's calls were recorded.
    { server: "supervised", message: "ERROR: fatal config problem", time: Date.now() - 60_000 },
  ]);
  store.db
    .prepare("INSERT INTO events (time, category, type, severity, server, message) VALUES (?, ?, ?, ?, ?, ?)")
    .run(Date.now(), "system", "process.start_failed", "medium", "evented", "cannot start evented");
  await addManualServer(store.dataDir, { name: "configured", transport: "stdio", command: "true", args: [] });
  // A server a health probe pinned: no traffic recorded, but its tools are.
  store.db
    .prepare(
      "INSERT INTO tool_pins (server, tool, hash, definition, pinned_at, status) VALUES (?, ?, ?, ?, ?, 'pinned')",
    )
    .run("probed", "echo", "a".repeat(64), "{}", Date.now());
});
afterAll(() => store.cleanup());

const cli = (...args: string[]) => cliInProcess([...args, "--data-dir", store.dataDir]);

describe("an unknown --server", () => {
  it.each([
    ["stats", "calls", "files, memory"],
    ["calls", "calls", "files, memory"],
    ["report", "calls", "files, memory"],
    ["logs", "logs", "files, mcpscope, supervised"],
    ["tools", "tool definitions", "probed"],
  ])("%s names it and the known servers, exit 1", async (command, what, known) => {
    // Were the report written, it would go into the data dir, not the working folder.
    const output = command === "report" ? ["--output", join(store.dataDir, "r.html")] : [];
    const run = await cli(command, "--server", "nope", ...output);
    expect(run).toEqual({
      status: 1,
      stdout: "",
      stderr: `mcpscope ${command}: no server named "nope" has recorded ${what}; known: ${known}\n`,
    });
  });
});

describe("a known --server with nothing under the filters", () => {
  it("calls and logs name the filters instead of pointing at `mcpscope run`", async () => {
    expect(await cli("calls", "--server", "files", "--tool", "echo")).toEqual({
      status: 0,
      stdout: "No calls match --server files --tool echo.\n",
      stderr: "",
    });
    expect(await cli("logs", "--server", "files", "--level", "error")).toEqual({
      status: 0,
      stdout: "No log records match --server files --level error.\n",
      stderr: "",
    });
    expect((await cli("stats", "--server", "memory")).stdout).toMatch(
      /^No calls between \S+ and \S+ match --server memory; widen --since\.\n$/,
    );
  });

  it("a server with logs, events or a config entry but no calls is known", async () => {
    expect(await cli("logs", "--server", "supervised", "--since", "10s")).toEqual({
      status: 0,
      stdout: "No log records match --server supervised --since 10s.\n",
      stderr: "",
    });
    for (const name of ["evented", "configured"]) {
      expect(await cli("logs", "--server", name)).toEqual({
        status: 0,
        stdout: `No log records match --server ${name}.\n`,
        stderr: "",
      });
      expect(await cli("tools", "--server", name)).toMatchObject({ status: 0, stderr: "" });
    }
  });

  it("report knows them too: a server mcpscope runs has health and events, maybe no calls", async () => {
    for (const name of ["supervised", "evented", "configured", "probed"]) {
      const output = join(store.dataDir, `${name}.csv`);
      const run = await cli("report", "--server", name, "--format", "csv", "--output", output);
      expect(run).toMatchObject({ status: 0, stdout: "" });
      expect(run.stderr).toContain(`report: wrote ${output}`);
    }
  });

  it("tools knows a server a probe pinned, and says which server has none", async () => {
    const probed = await cli("tools", "--server", "probed");
    expect(probed.status).toBe(0);
    expect(probed.stdout).toMatch(/^SERVER\s+TOOL/);
    const files = await cli("tools", "--server", "files");
    expect(files).toMatchObject({ status: 0, stderr: "" });
    expect(files.stdout).toMatch(/^no tools pinned for files yet; /);
  });
});
