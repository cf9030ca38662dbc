import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { wrappedSession } from "../helpers/mcp.js";

export const FIXTURE = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures", "changing-server.mjs");

export interface EventRow {
  id: number;
  category: string;
  type: string;
  severity: string;
  server: string | null;
  message: string;
  details: Record<string, unknown> | null;
}

export function readEvents(dataDir: string, where = "category IN ('security', 'audit')"): EventRow[] {
  const db = openDb(databasePath(dataDir));
  try {
    return db
      .prepare(
        `SELECT id, category, type, severity, server, message, details FROM events WHERE ${where} ORDER BY id`,
      )
      .all()
      .map((r) => ({
        id: Number(r.id),
        category: String(r.category),
        type: String(r.type),
        severity: String(r.severity),
        server: r.server === null ? null : String(r.server),
        message: String(r.message),
        details: r.details ? (JSON.parse(String(r.details)) as Record<string, unknown>) : null,
      }));
  } finally {
    db.close();
  }
}

export function pinCount(dataDir: string, server: string): number {
  const db = openDb(databasePath(dataDir));
  try {
    return Number(db.prepare("SELECT count(*) AS n FROM tool_pins WHERE server = ?").get(server)?.n ?? 0);
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

/** One wrapped session of the fixture: list the tools, run `body`, close, wait until its session ended. */
export async function runFixture(
  dataDir: string,
  name: string,
  env: Record<string, string>,
  body: (client: Client) => Promise<void> = async () => {},
): Promise<void> {
  await wrappedSession(
    [FIXTURE],
    { dataDir, name },
    async (client) => {
      await client.listTools();
      await body(client);
    },
    { env },
  );
}
