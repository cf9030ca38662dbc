/** How a command opens the data dir's database: the terminal hears why it waits while an update's migrations run. */
import { type Db, openDb } from "../monitor/store/db.js";
import { upgradeLine } from "../monitor/store/migrations.js";

export function openAtTerminal(path: string): Db {
  return openDb(path, { upgrading: (from, to) => process.stderr.write(`${upgradeLine(from, to)}\n`) });
}
