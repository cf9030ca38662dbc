/** Shared by the supervisor, health and resource tests: server targets and a real store in a temp dir. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { type Db, openDb, type Row } from "../../electron/monitor/store/db.js";
import { DbRunStore } from "../../electron/monitor/supervisor/run-store.js";
import { writerSink } from "../../electron/monitor/supervisor/telemetry.js";
import type { ServerTarget } from "../../electron/monitor/supervisor/transports.js";
import type { ServerDefinition } from "../../shared/discovery.js";
import { SERVERS } from "../helpers/mcp.js";

export function stdioTarget(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): ServerTarget {
  const definition: ServerDefinition = {
    id: `manual:${name}`,
    name,
    client: "manual",
    scope: "manual",
    file: null,
    transport: "stdio",
    command,
    args,
    env: Object.fromEntries(Object.keys(env).map((k) => [k, "[masked:named-secret]"])),
    cwd: null,
    url: null,
    headers: {},
    instrumented: false,
    disabled: false,
  };
  return { definition, rawCommand: command, rawArgs: args, rawUrl: null, rawEnv: env, rawHeaders: {} };
}

export function remoteTarget(name: string, url: string, headers: Record<string, string> = {}): ServerTarget {
  const target = stdioTarget(name, "", []);
  return {
    definition: { ...target.definition, transport: "http", command: null, url },
    rawCommand: null,
    rawArgs: [],
    rawUrl: url,
    rawEnv: {},
    rawHeaders: headers,
  };
}

export const everything = (name = "everything") => stdioTarget(name, process.execPath, SERVERS.everything());

export interface TestStore {
  dir: string;
  db: Db;
  writer: BatchWriter;
  sink: ReturnType<typeof writerSink>;
  runs: DbRunStore;
  /** Flushes the writer, then runs the query. */
  rows(sql: string, ...params: Array<string | number>): Row[];
  close(): void;
}

export function testStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), "mcpscope-sup-"));
  const path = join(dir, "mcpscope.db");
  const db = openDb(path);
  const writer = new BatchWriter({ open: () => openDb(path), flushIntervalMs: 20 });
  return {
    dir,
    db,
    writer,
    sink: writerSink(writer),
    runs: new DbRunStore(db),
    rows(sql, ...params) {
      writer.flush();
      return db.prepare(sql).all(...params);
    },
    close() {
      writer.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
