import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { closeOnceStored, connect, waitFor } from "../helpers/mcp.js";

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
  body: (client: Awaited<ReturnType<typeof connect>>) => Promise<void> = async () => {},
): Promise<void> {
  const before = endedSessions(dataDir, name);
  const wrap = { dataDir, name };
  const client = await connect([FIXTURE], wrap, env);
  try {
    await client.listTools();
    await body(client);
  } finally {
    // Once its calls are stored (the tools/list among them holds the pins).
    await closeOnceStored(client, wrap);
  }
  // The wrapper writes its session's end as it exits.
  await waitFor(() => endedSessions(dataDir, name) > before);
}

/** Sessions of server `name` whose end is stored. */
export function endedSessions(dataDir: string, name: string): number {
  return count(dataDir, "SELECT count(*) AS n FROM sessions WHERE server = ? AND ended_at IS NOT NULL", name);
}

function count(dataDir: string, sql: string, name: string): number {
  try {
    const db = openDb(databasePath(dataDir));
    try {
      return Number(db.prepare(sql).get(name)?.n ?? 0);
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}
