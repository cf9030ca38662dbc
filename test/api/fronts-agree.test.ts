/**
 * One question, one answer, whichever front asks: the CLI (`--json`), browser mode's HTTP API and the
 * typed client in process (over the engine, and over the store handlers the CLI serves) agree on one
 * seeded store.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withStoreApi } from "../../electron/cli/api-client.js";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import { recordAdminAction } from "../../electron/monitor/audit/audit-log.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { createApiClient, type MethodInput, type MethodName } from "../../shared/api.js";
import { mcpscopeJson, tempDir } from "../helpers/mcp.js";
import { mixedCalls, recordCalls } from "../metrics/workload.js";

const MINUTE = 60_000;
let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
let server: Awaited<ReturnType<typeof startHttpServer>>;
const token = "f".repeat(40);
// Absolute times, so that no front's "now" moves the range.
const until = new Date(Date.now() - MINUTE).toISOString();
const since = new Date(Date.parse(until) - 60 * MINUTE).toISOString();

beforeAll(async () => {
  dir = await tempDir();
  recordCalls(dir.path, mixedCalls(120, Date.parse(since) + MINUTE, Date.parse(until) - MINUTE, 7));
  const db = openDb(databasePath(dir.path));
  for (const action of ["instrument", "silence", "uninstrument"])
    recordAdminAction(db, { action, actor: "tester", server: "srv-1", outcome: "ok" });
  db.close();
  // No rollup folding while the fronts ask: a fold between two questions would turn exact latency
  // percentiles into sketch estimates (within 1%) for the questions after it.
  engine = await createEngine({
    dataDir: dir.path,
    inventory: false,
    alerts: false,
    metrics: { collector: false },
  });
  server = await startHttpServer({ engine, host: "127.0.0.1", port: 0, token, staticRoot: dir.path });
});
afterAll(async () => {
  await server.close();
  await engine.close();
  await dir.cleanup();
});

async function overHttp<M extends MethodName>(method: M, input: MethodInput<M>): Promise<unknown> {
  const res = await fetch(`${server.url}api/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: unknown }).result;
}

async function inProcess<M extends MethodName>(method: M, input: MethodInput<M>): Promise<unknown[]> {
  const overEngine = await createApiClient(engine).call(method, input);
  const overStore = await withStoreApi(
    { flags: { "data-dir": dir.path }, positionals: [], lists: {}, rest: [] },
    (api) => api.call(method, input),
  );
  return [overEngine, overStore];
}

describe("the CLI, HTTP and the in-process client", () => {
  it("give the same stats", async () => {
    const input = { since, until, server: "srv-1" };
    const cli = await mcpscopeJson([
      "stats",
      "--data-dir",
      dir.path,
      "--since",
      since,
      "--until",
      until,
      "--server",
      "srv-1",
    ]);
    const http = await overHttp("stats.get", input);
    const [engineAnswer, storeAnswer] = await inProcess("stats.get", input);
    expect((cli as { servers: unknown[] }).servers).toHaveLength(1);
    expect(http).toEqual(cli);
    expect(engineAnswer).toEqual(cli);
    expect(storeAnswer).toEqual(cli);
  });

  it("list the same calls", async () => {
    const input = { since, until, outcome: "ok" as const, limit: 1000 };
    const cli = await mcpscopeJson<{ calls: unknown[] }>([
      "calls",
      "--data-dir",
      dir.path,
      "--since",
      since,
      "--until",
      until,
      "--outcome",
      "ok",
      "--limit",
      "1000",
    ]);
    const http = await overHttp("calls.details", input);
    const [engineAnswer, storeAnswer] = await inProcess("calls.details", input);
    expect(cli.calls.length).toBeGreaterThan(10);
    expect(http).toEqual(cli.calls);
    expect(engineAnswer).toEqual(cli.calls);
    expect(storeAnswer).toEqual(cli.calls);
  });

  it("give the same audit chain check", async () => {
    const cli = await mcpscopeJson(["audit", "verify", "--data-dir", dir.path]);
    const http = await overHttp("audit.verify", {});
    const [engineAnswer, storeAnswer] = await inProcess("audit.verify", {});
    expect(cli).toMatchObject({ ok: true, records: expect.any(Number) });
    expect((cli as { records: number }).records).toBe(3);
    expect(http).toEqual(cli);
    expect(engineAnswer).toEqual(cli);
    expect(storeAnswer).toEqual(cli);
  });

  it("discover the same servers in a client's config", async () => {
    const home = join(dir.path, "home");
    await mkdir(join(home, ".cursor"), { recursive: true });
    const config = {
      mcpServers: {
        memory: {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-memory"],
          env: { TOKEN: "s3cret" },
        },
        docs: { url: "https://example.com/mcp" },
      },
    };
    await writeFile(join(home, ".cursor", "mcp.json"), JSON.stringify(config));
    const cli = await mcpscopeJson<{ servers: Array<{ name: string; env: Record<string, string> }> }>([
      "discover",
      "--data-dir",
      dir.path,
      "--home",
      home,
      "--client",
      "cursor",
      "--json",
    ]);
    const input = { client: "cursor" as const, home };
    const http = await overHttp("discovery.list", input);
    const [engineAnswer, storeAnswer] = await inProcess("discovery.list", input);
    expect(cli.servers.map((s) => s.name).sort()).toEqual(["docs", "memory"]);
    expect(JSON.stringify(cli)).not.toContain("s3cret");
    expect(http).toEqual(cli);
    expect(engineAnswer).toEqual(cli);
    expect(storeAnswer).toEqual(cli);
  });

  it("wrap config entries alike and undo each other's wrapping byte for byte", async () => {
    const home = join(dir.path, "home-edit");
    const file = join(home, ".cursor", "mcp.json");
    await mkdir(join(home, ".cursor"), { recursive: true });
    const original = `{
  // kept as written
  "mcpServers": {
    "one": { "command": "node", "args": ["one.js", "--token", "s3cret"] },
    "two": { "command": "node", "args": ["two.js"] }
  }
}
`;
    await writeFile(file, original);
    const cli = await mcpscopeJson<Record<string, unknown>>([
      "instrument",
      "--data-dir",
      dir.path,
      "--home",
      home,
      "--client",
      "cursor",
      "--server",
      "one",
      "--json",
    ]);
    const http = (await overHttp("instrument.entry", { client: "cursor", server: "two", home })) as Record<
      string,
      unknown
    >;
    expect(cli).toMatchObject({ status: "instrumented", server: "one", file });
    expect(JSON.stringify(cli)).not.toContain("s3cret");
    expect(http).toMatchObject({ kind: "wrapped", status: "instrumented", server: "two", file });
    const { kind: _kind, before: _before, byHand: _byHand, ...printed } = http;
    expect(Object.keys(printed).sort()).toEqual(Object.keys(cli).sort());
    expect(printed.command).toBe(cli.command);

    const undone = await createApiClient(engine).call("instrument.undo", { all: true, home });
    expect(undone.entries.map((e) => [e.server, e.status, e.error]).sort()).toEqual([
      ["one", "restored", null],
      ["two", "restored", null],
    ]);
    expect(await readFile(file, "utf8")).toBe(original);
  });
});
