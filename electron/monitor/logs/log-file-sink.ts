/**
 * The optional per-server JSON-lines log files (settings `logs.files`), written by the engine from the
 * store: records after a cursor, one JSON object per line (the `logs.search` record shape), appended to
 * `<dir>/<server>.jsonl` and rotated by RotatingFile. One engine writes them (a lock file in the
 * directory). The cursor is saved after each append; after a crash between the two, the last id in each
 * server's file says what is already there, so nothing is written twice or skipped.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeDirs } from "../make-dirs.js";
import { processAlive } from "../process-alive.js";
import type { Db } from "../store/db.js";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "../store/private-files.js";
import { lastLogId, toLogRecord } from "./log-queries.js";
import { filesEnabledFor, type LogSettings, type LogSettingsSource } from "./log-settings.js";
import { RotatingFile, safeFileName } from "./rotating-file.js";

const BATCH_ROWS = 5000;

export class LogFileSink {
  private readonly files = new Map<string, { file: RotatingFile; lastId: number }>();
  private cursor: number | null = null;
  private locked = false;
  private dir: string | null = null;
  /** The file settings the open files were made with; a change reopens them. */
  private shape = "";

  constructor(
    private readonly db: Db,
    private readonly settings: LogSettingsSource,
    private readonly onProblem: (message: string) => void = () => {},
  ) {}

  /** Writes one batch of new records; returns how many were read (0: caught up, disabled or locked out). */
  step(): number {
    const settings = this.settings.current();
    if (
      settings.files.enabled === false ||
      (Array.isArray(settings.files.enabled) && settings.files.enabled.length === 0)
    ) {
      this.release();
      return 0;
    }
    const shape = JSON.stringify(settings.files);
    if (this.shape !== shape) {
      this.release();
      this.shape = shape;
      this.dir = settings.files.dir;
    }
    if (!this.lock(settings.files.dir)) return 0;
    this.cursor ??= this.loadCursor(settings.files.dir);
    const rows = this.db
      .prepare(
        "SELECT id, time, level, server, session_id, source, logger, message, fields, request_id FROM logs WHERE id > ? ORDER BY id LIMIT ?",
      )
      .all(this.cursor, BATCH_ROWS);
    if (rows.length === 0) return 0;
    const byServer = new Map<string, string[]>();
    for (const row of rows) {
      const server = String(row.server);
      if (!filesEnabledFor(settings, server)) continue;
      const entry = this.file(settings, server);
      if (Number(row.id) <= entry.lastId) continue;
      let lines = byServer.get(server);
      if (!lines) {
        lines = [];
        byServer.set(server, lines);
      }
      lines.push(JSON.stringify(toLogRecord(row)));
    }
    for (const [server, lines] of byServer) {
      const entry = this.files.get(server);
      if (!entry) continue;
      entry.file.append(lines);
    }
    this.cursor = Number(rows[rows.length - 1]?.id);
    for (const entry of this.files.values()) entry.lastId = Math.max(entry.lastId, this.cursor);
    this.saveCursor(settings.files.dir, this.cursor);
    return rows.length;
  }

  /** Resolves when background compression is done. */
  async idle(): Promise<void> {
    await Promise.all([...this.files.values()].map((e) => e.file.idle()));
  }

  async close(): Promise<void> {
    await this.idle();
    this.release();
  }

  private file(settings: LogSettings, server: string): { file: RotatingFile; lastId: number } {
    let entry = this.files.get(server);
    if (!entry) {
      const file = new RotatingFile({
        dir: settings.files.dir,
        name: safeFileName(server),
        maxBytes: settings.files.maxBytes,
        rotateEveryMs: settings.files.rotateEveryMs,
        keep: settings.files.keep,
        onProblem: this.onProblem,
      });
      entry = { file, lastId: lastIdIn(file) };
      this.files.set(server, entry);
    }
    return entry;
  }

  private loadCursor(dir: string): number {
    try {
      const saved = JSON.parse(readFileSync(join(dir, ".cursor.json"), "utf8")) as { lastId?: unknown };
      if (typeof saved.lastId === "number") return saved.lastId;
    } catch {}
    // First time on: start from now rather than exporting the whole history.
    return lastLogId(this.db);
  }

  private saveCursor(dir: string, lastId: number): void {
    const path = join(dir, ".cursor.json");
    writeFileSync(`${path}.tmp`, JSON.stringify({ lastId }), { mode: PRIVATE_FILE_MODE });
    renameSync(`${path}.tmp`, path);
  }

  private lock(dir: string): boolean {
    if (this.locked) return true;
    const path = join(dir, ".writer.lock");
    try {
      makeDirs(dir, PRIVATE_DIR_MODE);
    } catch {}
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        // RotatingFile creates the directory; the lock may come first.
        writeFileSync(path, String(process.pid), { flag: "wx", mode: PRIVATE_FILE_MODE });
        this.locked = true;
        return true;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "EEXIST") {
          this.onProblem(`cannot write log files in ${dir}: ${(error as Error).message}`);
          return false;
        }
        const owner = Number(readFileSync(path, "utf8").trim());
        if (owner === process.pid || !processAlive(owner)) {
          try {
            unlinkSync(path);
          } catch {}
          continue;
        }
        return false; // another engine writes the files
      }
    }
    return false;
  }

  private release(): void {
    for (const entry of this.files.values()) void entry.file.idle();
    this.files.clear();
    this.cursor = null;
    if (this.locked && this.dir) {
      try {
        unlinkSync(join(this.dir, ".writer.lock"));
      } catch {}
    }
    this.locked = false;
  }
}

/** The id on the last line a file holds (0 if none). */
function lastIdIn(file: RotatingFile): number {
  try {
    const id = (JSON.parse(file.lastLine() ?? "{}") as { id?: unknown }).id;
    return typeof id === "number" ? id : 0;
  } catch {
    return 0; // a torn last line: it was never acknowledged by a saved cursor either
  }
}
