/** A database with a few thousand log rows, checkpointed into the main file (pages to damage, a file to check). */
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";

export function seedLogRows(dataDir: string): void {
  const db = openDb(databasePath(dataDir));
  const insert = db.prepare(
    "INSERT INTO logs (time, level, server, source, message) VALUES (?, 'info', 's', 'stderr', ?)",
  );
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) insert.run(i, `line ${i} ${"x".repeat(200)}`);
  });
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}
