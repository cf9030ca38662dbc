/**
 * The marker that lets the next engine open the database without `PRAGMA quick_check`, and the damage
 * note that takes it away. Free of the schema library: wrappers load it (a writer that meets damage
 * notes it), and a wrapper's start stays small.
 */
import { readFileSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { deadEngineFiles, runningEngines } from "../engine-presence.js";
import { DATABASE_FILE } from "../paths.js";
import { writePrivateFileSync } from "./private-files.js";

const CLEAN_CLOSE = "db-clean-close";
/** What the newest check found (integrity.ts reads and writes it). */
export const LAST_CHECK = "db-check.json";

/** Left by an engine that closed the database cleanly, taken by the next one to start. */
export function markCleanClose(dataDir: string, now = Date.now()): void {
  try {
    writePrivateFileSync(join(dataDir, CLEAN_CLOSE), JSON.stringify({ time: now }));
  } catch {
    // Without the marker the next start only checks at open: slower, never wrong.
  }
}

function removeMarker(dataDir: string): void {
  try {
    rmSync(join(dataDir, CLEAN_CLOSE), { force: true });
  } catch {}
}

/**
 * At an engine's close (its own presence file already removed): the marker, unless another engine still
 * has the file open (its crash must still show), an engine died without closing, or the last check found
 * damage. An engine starting meanwhile registers before it takes the marker: when one shows up after the
 * marker is written, the marker goes again, so that engine's crash would not be hidden.
 */
export function leaveCleanClose(dataDir: string): void {
  if (runningEngines(dataDir).length > 0 || deadEngineFiles(dataDir).length > 0) return;
  if (lastCheckFoundDamage(dataDir)) return;
  markCleanClose(dataDir);
  if (runningEngines(dataDir).length > 0) removeMarker(dataDir);
}

/**
 * Whether the previous engine closed cleanly; the marker is removed so that a crash from now on shows. A
 * marker that does not say when (an empty file a full disk left) is no marker.
 */
export function takeCleanClose(dataDir: string): boolean {
  const file = join(dataDir, CLEAN_CLOSE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  try {
    return typeof (JSON.parse(text) as { time?: unknown }).time === "number";
  } catch {
    return false;
  }
}

/**
 * Damage met while using the database (a writer's commit, an open): the next engine to start checks at
 * open and moves the file aside. Fails open: the writer that calls it has already stopped recording.
 */
export function noteDamage(dataDir: string, message: string, now = Date.now()): void {
  removeMarker(dataDir);
  try {
    writePrivateFileSync(
      join(dataDir, LAST_CHECK),
      JSON.stringify({ time: now, when: "background", ok: false, problems: [message] }),
    );
  } catch {}
}

/** noteDamage for a database path, when it is a data dir's database (not a backup or a file set aside). */
export function noteDamageAt(path: string, message: string): void {
  if (basename(path) === DATABASE_FILE) noteDamage(dirname(path), message);
}

function lastCheckFoundDamage(dataDir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dataDir, LAST_CHECK), "utf8")) as { ok?: unknown }).ok === false;
  } catch {
    return false;
  }
}
