/**
 * The request and response text of every stored call, decoded as every reader decodes it: a scan of the
 * data dir's raw bytes cannot see into text stored compressed, so secret checks look here too.
 */
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { decodePayload } from "../../electron/monitor/store/payload-codec.js";

export function storedPayloads(dataDir: string): { id: number; column: string; text: string }[] {
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    return db
      .prepare("SELECT id, request, response FROM calls")
      .all()
      .flatMap((row) =>
        (["request", "response"] as const).map((column) => ({
          id: Number(row.id),
          column,
          text: decodePayload(row[column]) ?? "",
        })),
      );
  } finally {
    db.close();
  }
}
