/**
 * The API contract: every method rejects input that does not match its schema with a one-line error,
 * in process and over browser mode's HTTP transport; the HTTP server demands its token and checks Host.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import { recordAdminAction } from "../../electron/monitor/audit/audit-log.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { EventTracker } from "../../electron/monitor/events/tracker.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { API_METHODS, ApiInputError, createApiClient } from "../../shared/api.js";
import { tempDir } from "../helpers/mcp.js";
import { insertLogs } from "../logs/store.js";
import { mixedCalls, recordCalls } from "../metrics/workload.js";

/** For each method, inputs that its schema must refuse. */
const BAD_INPUTS: Record<keyof typeof API_METHODS, unknown[]> = {
  "system.info": [{ extra: 1 }, "text", 42],
  "engine.state": [{ extra: 1 }, "text"],
  "servers.list": [{ all: true }, []],
  "stats.get": [{ since: 5 }, { server: ["a"] }, { unknown: "x" }, { since: "" }],
  "calls.list": [{ limit: 0 }, { limit: 5000 }, { outcome: "maybe" }, { beforeId: -1 }, { tool: 3 }],
  "calls.get": [{}, { id: "1" }, { id: 0 }, { id: 1.5 }],
  "calls.details": [{ limit: 0 }, { outcome: "maybe" }, { since: 3 }, { extra: 1 }],
  "servers.recorded": [{ all: true }, "x"],
  "servers.known": [{ kind: "logs" }, "x"],
  "servers.seen": [{}, { name: "" }, { name: 3 }, { name: "x", id: "y" }],
  "audit.verify": [{ repair: true }],
  "audit.export": [{ after: -1 }, { limit: 0 }, { limit: 5000 }, { since: 5 }, { format: "csv" }],
  "instrument.records": [{ client: "cursor" }],
  "instrument.entry": [
    {},
    { client: "cursor" },
    { client: "notepad", server: "x" },
    { client: "cursor", server: "" },
  ],
  "instrument.undo": [
    {},
    { client: "cursor" },
    { all: true, server: "x" },
    { all: "yes" },
    { client: "notepad", server: "x" },
  ],
  "instrument.repair": [{ client: "notepad" }, { server: "" }, { scope: "manual" }, { all: true }],
  "discovery.list": [{ client: "notepad" }, { projectDirs: "/tmp" }, { home: "" }, { extra: 1 }],
  "servers.inventory": [{ refresh: true }],
  "servers.detail": [{}, { id: 3 }, { id: "" }],
  "servers.start": [{}, { id: null }],
  "servers.stop": [{}, { name: "x" }],
  "servers.restart": [{}, { id: ["a"] }],
  "servers.probe": [{}, { id: 1 }],
  "requests.review": [{}, { method: "" }, { method: "servers.add", input: {}, extra: 1 }],
  "servers.check": [
    {},
    { server: "a", command: ["node"] },
    { command: [] },
    { url: "not a url" },
    { server: "a", headers: { k: "v" } },
    { server: "a", timeout: "soon" },
    { server: "a", timeout: "0s" },
  ],
  "servers.instrument": [{}, { id: "" }],
  "servers.uninstrument": [{}, { id: 2 }],
  "servers.add": [
    {},
    { name: "x", transport: "stdio" },
    { name: "x", transport: "http", url: "not a url" },
    { name: "x", transport: "pigeon", command: "a" },
  ],
  "servers.remove": [{}, { id: false }],
  "logs.search": [{ level: "loud" }, { limit: 0 }, { text: 5 }, { extra: 1 }],
  "logs.patterns": [{ level: "verbose" }, { limit: -1 }, { extra: 1 }],
  "logs.tail": [{ after: -1 }, { after: 1.5 }, { limit: 0 }, { since: "1h" }, { extra: 1 }],
  "metrics.series": [{ step: "30s" }, { step: "0m" }, { step: 5 }, { tool: 1 }, { extra: 1 }],
  "events.list": [{ category: "misc" }, { severity: "loud" }, { limit: 0 }, { extra: 1 }],
  "events.groups": [{ limit: 0 }, { server: 3 }, { extra: 1 }],
  "sessions.timeline": [{}, { id: "" }, { id: 5 }],
  "files.save": [
    {},
    { filename: "../x.csv", mimeType: "text/csv", encoding: "utf8", content: "" },
    { filename: "a.csv", mimeType: "text/csv", encoding: "hex", content: "" },
  ],
  "reports.save": [{}, { format: "odt" }, { format: "md", period: "year" }],
  "calls.save": [
    {},
    { filename: "calls.json", format: "json", query: {} },
    { filename: "../calls.json", format: "json", query: { until: "2026-12-07T10:00:00.000Z" } },
    { filename: "calls.json", format: "xml", query: { until: "2026-12-07T10:00:00.000Z" } },
    { filename: "calls.json", format: "csv", query: { until: "1h" } },
    { filename: "calls.json", format: "csv", query: { until: "2026-12-07T10:00:00.000Z", outcome: "fine" } },
  ],
  "reports.generate": [{ since: 5 }, { period: "year" }, { servers: "a" }, { extra: 1 }],
  "reports.export": [
    {},
    { format: "docx" },
    { format: "csv", section: "nope" },
    { format: "pdf", paper: "a3" },
  ],
  "reports.schedules.list": [{ extra: 1 }],
  "reports.schedules.put": [
    {},
    { name: "w", period: "year", at: "08:00", folder: "/tmp" },
    { name: "w", period: "day", at: "25:00", folder: "/tmp" },
    { name: "w", period: "day", at: "08:00" },
    { name: "../w", period: "day", at: "08:00", folder: "/tmp" },
  ],
  "reports.schedules.delete": [{}, { name: "" }, { name: 5 }],
  "reports.runs": [{ limit: 0 }, { schedule: 3 }, { extra: 1 }],
  "tools.pins": [{ server: 3 }, { server: "" }, { extra: 1 }],
  "tools.approve": [{}, { server: "" }, { server: "s", tool: 5 }, { tool: "t" }, { server: "s", extra: 1 }],
  "alerts.list": [{ status: "loud" }, { extra: 1 }],
  "alerts.history": [{ limit: 0 }, { beforeId: -1 }, { extra: 1 }],
  "alerts.silence": [
    {},
    { matchers: [], duration: "1h" },
    { matchers: [{ name: "a", op: "==", value: "b" }], duration: "1h" },
    { matchers: [{ name: "a", op: "=", value: "b" }], duration: "0s" },
  ],
  "alerts.unsilence": [{}, { id: "" }],
  "alerts.silences": [{ includeExpired: "yes" }],
  "alerts.acknowledge": [{}, { id: 3 }],
  "alerts.unacknowledge": [{}, { id: "" }],
  "alerts.rules": [{ extra: 1 }],
  "alerts.rules.put": [{}, { yaml: "" }, { yaml: 3 }],
  "alerts.rules.remove": [{}, { name: "" }],
  "alerts.rules.preview": [{}, { yaml: "" }],
  "alerts.rules.check": [{}, { text: 3 }, { text: "", fileName: "" }],
  "alerts.channels": [{ extra: 1 }],
  "alerts.channels.put": [{}, { yaml: "" }],
  "alerts.channels.remove": [{}, { name: 1 }],
  "alerts.test": [{}, { channel: "" }],
  "alerts.deliveries": [{ status: "lost" }, { limit: 0 }],
  "alerts.pause": [{}, { duration: 5 }, { duration: "0m" }],
  "storage.info": [{ extra: 1 }],
  "storage.check": [{ full: "yes" }, { extra: 1 }],
  "storage.backup": [{ file: "/tmp/elsewhere" }],
  "storage.schedule": [{}, { every: "1d" }, { every: "1d", keep: 0 }, { every: 5, keep: 3 }],
  "storage.settings.put": [{}, { key: "logs", value: "1d" }, { key: "audit" }, { key: "audit", value: 5 }],
  "storage.backups.list": [{ dir: "/tmp" }],
  "storage.restore": [{}, { name: "" }, { name: 3 }, { name: "x", force: true }],
};

/** Inputs that read without acting; every read method must answer them with output matching its schema. */
const READ_INPUTS: Partial<Record<keyof typeof API_METHODS, unknown>> = {
  "system.info": {},
  "engine.state": {},
  "servers.list": {},
  "servers.recorded": {},
  "servers.known": {},
  "audit.verify": {},
  "audit.export": {},
  "instrument.records": {},
  "discovery.list": { client: "manual" },
  "stats.get": { since: "24h" },
  "calls.list": {},
  "calls.get": { id: 1 },
  "calls.details": { limit: 20 },
  "servers.inventory": {},
  "servers.detail": { id: "no-such-server" },
  "servers.seen": { name: "srv-0" },
  "logs.search": {},
  "logs.patterns": { since: "24h" },
  "logs.tail": { after: 0 },
  "metrics.series": { since: "24h", step: "5m" },
  "tools.pins": {},
  "events.list": { severity: "low", since: "24h" },
  "events.groups": { since: "24h" },
  "sessions.timeline": { id: "no-such-session" },
  "alerts.list": {},
  "alerts.history": { since: "1h" },
  "alerts.silences": { includeExpired: true },
  "alerts.rules": {},
  "alerts.rules.preview": {
    yaml: "name: x\nkind: metric\nsignal: error_rate\nthreshold: 10%\n",
    range: "1h",
  },
  "alerts.rules.check": { text: "rules: []\n", fileName: "alerts.yaml" },
  "alerts.channels": {},
  "alerts.deliveries": {},
  "reports.generate": { period: "day" },
  "reports.export": { format: "md" },
  "reports.schedules.list": {},
  "reports.runs": {},
  "storage.info": {},
  "storage.check": { full: true },
  "storage.backups.list": {},
};

/** Methods whose answer over the seeded store must hold something: a schema check of [] proves little. */
const SEEDED = [
  "servers.list",
  "servers.recorded",
  "servers.known",
  "servers.seen",
  "stats.get",
  "calls.list",
  "calls.get",
  "calls.details",
  "logs.search",
  "logs.patterns",
  "logs.tail",
  "audit.export",
  "metrics.series",
  "events.list",
  "events.groups",
  "sessions.timeline",
];

const HOUR = 3_600_000;

/**
 * Calls (through the wrappers' own recorder), log records and events, all from 20 to 2 hours ago: the
 * one-hour questions of the browser-mode tests below still see an empty store.
 */
function seed(dataDir: string): void {
  const now = Date.now();
  const sessions = recordCalls(dataDir, mixedCalls(60, now - 20 * HOUR, now - 2 * HOUR));
  READ_INPUTS["sessions.timeline"] = { id: [...sessions.values()][0] };
  const db = openDb(databasePath(dataDir));
  insertLogs(db, [
    { message: "listening on stdio", server: "srv-0", time: now - 10 * HOUR },
    { message: "cannot read /tmp/a.txt: ENOENT", level: "error", server: "srv-1", time: now - 5 * HOUR },
  ]);
  recordAdminAction(db, { action: "pin_approve", actor: "tester", server: "srv-1", time: now - 4 * HOUR });
  db.close();
  const writer = new BatchWriter({ open: () => openDb(databasePath(dataDir)) });
  new EventTracker(writer).track({
    category: "error",
    type: "server.crash",
    severity: "high",
    message: "srv-2 exited with code 1",
    server: "srv-2",
    time: now - 3 * HOUR,
    fingerprint: "server.crash:srv-2",
  });
  writer.close();
}

function holdsSomething(output: unknown): boolean {
  if (Array.isArray(output)) return output.length > 0;
  if (output === null) return false;
  const doc = output as Record<string, unknown>;
  if (doc.total) return (doc.total as { calls: number }).calls > 0; // metrics.series
  for (const key of ["servers", "patterns", "items", "records"])
    if (Array.isArray(doc[key])) return (doc[key] as unknown[]).length > 0;
  return true;
}

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
beforeAll(async () => {
  dir = await tempDir();
  seed(dir.path);
  // Discovery reads an empty home, not the developer's real client configs.
  engine = await createEngine({ dataDir: dir.path, pollIntervalMs: 50, inventory: { home: dir.path } });
});
afterAll(async () => {
  await engine.close();
  await dir.cleanup();
});

describe("API contract", () => {
  it("covers every method in the bad-input table", () => {
    expect(Object.keys(BAD_INPUTS).sort()).toEqual(Object.keys(API_METHODS).sort());
  });

  for (const [method, inputs] of Object.entries(BAD_INPUTS)) {
    it(`${method} rejects input that does not match its schema, in one line`, async () => {
      for (const input of inputs) {
        const error = await engine.invoke(method, input).then(
          () => null,
          (e: Error) => e,
        );
        expect(error, JSON.stringify(input)).toBeInstanceOf(ApiInputError);
        expect(error?.message).toMatch(new RegExp(`^invalid input for ${method.replace(".", "\\.")}: `));
        expect(error?.message).not.toContain("\n");
      }
    });
  }

  it("answers valid input with output matching the output schema", async () => {
    for (const [method, input] of Object.entries(READ_INPUTS)) {
      const spec = API_METHODS[method as keyof typeof API_METHODS];
      const output = await engine.invoke(method, input);
      expect(spec.output.safeParse(output).success, method).toBe(true);
      if (SEEDED.includes(method))
        expect(holdsSomething(output), `${method} over the seeded store`).toBe(true);
    }
  });

  it("refuses unknown methods", async () => {
    await expect(engine.invoke("calls.delete", {})).rejects.toThrow(/unknown method/);
  });

  it("the typed client validates before sending", async () => {
    const sent: string[] = [];
    const client = createApiClient({
      invoke: async (method) => {
        sent.push(method);
        return [];
      },
      subscribe: () => () => {},
    });
    await expect(client.call("calls.list", { limit: -3 })).rejects.toThrow(
      /invalid input for calls\.list: limit/,
    );
    expect(sent).toEqual([]);
  });
});

describe("browser mode transport", () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  const token = "t".repeat(40);
  beforeAll(async () => {
    server = await startHttpServer({ engine, host: "127.0.0.1", port: 0, token, staticRoot: dir.path });
  });
  afterAll(async () => {
    await server.close();
  });
  const post = (
    method: string,
    body: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${token}` },
  ) =>
    fetch(`${server.url}api/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  it("serves the API with the token", async () => {
    const res = await post("stats.get", { since: "1h" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { servers: unknown[] } };
    expect(body.result.servers).toEqual([]);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("refuses requests without the right token", async () => {
    expect((await post("stats.get", {}, {})).status).toBe(401);
    expect((await post("stats.get", {}, { authorization: "Bearer wrong" })).status).toBe(401);
  });

  it("returns schema errors as 400 with a one-line message", async () => {
    const res = await post("calls.list", { limit: "many" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; kind: string } };
    expect(body.error.kind).toBe("input");
    expect(body.error.message).toMatch(/^invalid input for calls\.list: limit/);
  });

  it("refuses a foreign Host header (DNS rebinding)", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}api/system.info`, {
        method: "POST",
        headers: { host: "evil.example:80", authorization: `Bearer ${token}` },
      });
      req.on("response", (res) => resolve(res.statusCode ?? 0));
      req.on("error", reject);
      req.end("{}");
    });
    expect(status).toBe(421);
  });

  it("refuses an events socket without the token, accepts one with it", async () => {
    const url = server.url.replace("http", "ws");
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${url}api/events?token=nope`);
      ws.on("error", () => resolve("refused"));
      ws.on("open", () => resolve("open"));
    });
    expect(refused).toBe("refused");
    const accepted = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${url}api/events?token=${token}`);
      ws.on("error", () => resolve("refused"));
      ws.on("open", () => {
        ws.close();
        resolve("open");
      });
    });
    expect(accepted).toBe("open");
  });
});
