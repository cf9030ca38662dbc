/** How a command opens the data dir's database: the terminal hears why it waits while an update's migrations run. */
import { type Db, openDb } from "../monitor/store/db.js";
import { type UpgradeListener, upgradeLine } from "../monitor/store/migrations.js";

/** Says on stderr, in one line, that an upgrade is under way (stdout stays the command's answer). */
export const announceUpgrade: UpgradeListener = (from, to) => {
  process.stderr.write(`${upgradeLine(from, to)}\n`);
};

/** Says on stderr that an upgrade went on without the copy it announced. */
export const sayNoUpgradeCopy = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export function openAtTerminal(path: string): Db {
  return openDb(path, { upgrading: announceUpgrade, noUpgradeCopy: sayNoUpgradeCopy });
}
