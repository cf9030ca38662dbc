/**
 * An append-only JSON-lines file that rotates by size and by age: `NAME.jsonl` is written; a rotation
 * renames it to `NAME.000042.jsonl` (numbers only grow) and gzips that in the background to
 * `NAME.000042.jsonl.gz` (written as `.gz.tmp`, renamed when complete, then the plain file removed), and
 * keeps at most `keep` rotated files. Rotation happens only between appends, by rename, so every line is
 * in exactly one file; a crash mid-compression is finished at the next start. Single writer per file:
 * the log file sink takes a lock for that.
 */
import { createHash } from "node:crypto";
import {
  appendFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip, gunzipSync } from "node:zlib";
import { makeDirs } from "../make-dirs.js";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "../store/private-files.js";

export interface RotatingFileOptions {
  dir: string;
  /** File name stem; see safeFileName(). */
  name: string;
  maxBytes: number;
  rotateEveryMs: number;
  /** Rotated files kept (compressed or waiting to be). */
  keep: number;
  now?: () => number;
  onProblem?: (message: string) => void;
}

/** A server name as a file name stem: unsafe characters become `_`, plus a short hash if any did. */
export function safeFileName(server: string): string {
  const safe = server
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^\.+/, "_")
    .slice(0, 80);
  if (safe === server && safe.length > 0) return safe;
  return `${safe}-${createHash("sha256").update(server).digest("hex").slice(0, 8)}`;
}

export class RotatingFile {
  readonly path: string;
  private size = 0;
  private openedAt: number;
  private seq = 0;
  private compressing: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly rotatedPattern: RegExp;

  constructor(private readonly options: RotatingFileOptions) {
    this.now = options.now ?? Date.now;
    makeDirs(options.dir, PRIVATE_DIR_MODE);
    this.path = join(options.dir, `${options.name}.jsonl`);
    const escaped = options.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    this.rotatedPattern = new RegExp(`^${escaped}\\.(\\d{6,})\\.jsonl(\\.gz|\\.gz\\.tmp)?$`);
    this.openedAt = this.now();
    try {
      const stat = statSync(this.path);
      this.size = stat.size;
      this.openedAt = stat.birthtimeMs > 0 ? stat.birthtimeMs : stat.mtimeMs;
    } catch {}
    this.recover();
  }

  /**
   * Appends whole lines (each without its newline), rotating first when the file is older than
   * `rotateEveryMs`, and between lines wherever the next would take the file past `maxBytes` (a line
   * longer than that gets a file of its own).
   */
  append(lines: string[]): void {
    if (this.size > 0 && this.now() - this.openedAt >= this.options.rotateEveryMs) this.rotate();
    let chunk: string[] = [];
    let chunkBytes = 0;
    const write = () => {
      if (chunk.length === 0) return;
      appendFileSync(this.path, `${chunk.join("\n")}\n`, { mode: PRIVATE_FILE_MODE });
      if (this.size === 0) this.openedAt = this.now();
      this.size += chunkBytes;
      chunk = [];
      chunkBytes = 0;
    };
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      if (this.size + chunkBytes > 0 && this.size + chunkBytes + bytes > this.options.maxBytes) {
        write();
        this.rotate();
      }
      chunk.push(line);
      chunkBytes += bytes;
    }
    write();
  }

  /** The last line written: in the current file, or if that is empty, in the newest rotated file. */
  lastLine(): string | null {
    const rotated = this.rotatedFiles()
      .filter((f) => f.kind !== ".gz.tmp")
      .reverse()
      .map((f) => join(this.options.dir, f.file));
    for (const path of [this.path, ...rotated]) {
      let text: string;
      try {
        const bytes = readFileSync(path);
        text = (path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
      } catch {
        continue;
      }
      const lines = text.split("\n").filter(Boolean);
      if (lines.length) return lines[lines.length - 1] ?? null;
    }
    return null;
  }

  /** Renames the current file aside and queues its compression. */
  rotate(): void {
    if (this.size === 0) return;
    this.seq++;
    const rotated = this.rotatedPath(this.seq);
    renameSync(this.path, rotated);
    this.size = 0;
    this.openedAt = this.now();
    this.queueCompression(rotated);
  }

  /** Resolves when every queued compression has finished. */
  idle(): Promise<void> {
    return this.compressing;
  }

  /** The files holding lines, oldest first: compressed rotated files, then the current file. */
  files(): string[] {
    const rotated = this.rotatedFiles()
      .filter((f) => f.kind === ".gz" || f.kind === "")
      .map((f) => join(this.options.dir, f.file));
    return [...rotated, this.path];
  }

  private rotatedPath(seq: number): string {
    return join(this.options.dir, `${this.options.name}.${String(seq).padStart(6, "0")}.jsonl`);
  }

  private rotatedFiles(): Array<{ file: string; seq: number; kind: string }> {
    let names: string[];
    try {
      names = readdirSync(this.options.dir);
    } catch {
      return [];
    }
    return names
      .map((file) => {
        const match = this.rotatedPattern.exec(file);
        return match ? { file, seq: Number(match[1]), kind: match[2] ?? "" } : null;
      })
      .filter((f): f is { file: string; seq: number; kind: string } => f !== null)
      .sort((a, b) => a.seq - b.seq || a.kind.localeCompare(b.kind));
  }

  /** After a crash: drop partial `.gz.tmp`, drop plain files whose `.gz` completed, compress the rest. */
  private recover(): void {
    const found = this.rotatedFiles();
    const done = new Set(found.filter((f) => f.kind === ".gz").map((f) => f.seq));
    for (const f of found) {
      this.seq = Math.max(this.seq, f.seq);
      const path = join(this.options.dir, f.file);
      if (f.kind === ".gz.tmp" || (f.kind === "" && done.has(f.seq))) this.remove(path);
      else if (f.kind === "") this.queueCompression(path);
    }
    this.queuePrune();
  }

  private queueCompression(path: string): void {
    this.compressing = this.compressing
      .then(async () => {
        if (!existsSync(path)) return; // pruned before its turn (keep is smaller than the backlog)
        const tmp = `${path}.gz.tmp`;
        await pipeline(
          createReadStream(path),
          createGzip(),
          createWriteStream(tmp, { mode: PRIVATE_FILE_MODE }),
        );
        await rename(tmp, `${path}.gz`);
        await unlink(path);
      })
      .catch((error: Error) => this.options.onProblem?.(`cannot compress ${path}: ${error.message}`));
    this.queuePrune();
  }

  private queuePrune(): void {
    this.compressing = this.compressing.then(() => {
      const rotated = this.rotatedFiles().filter((f) => f.kind !== ".gz.tmp");
      const seqs = [...new Set(rotated.map((f) => f.seq))];
      const drop = new Set(seqs.slice(0, Math.max(0, seqs.length - this.options.keep)));
      for (const f of rotated) if (drop.has(f.seq)) this.remove(join(this.options.dir, f.file));
    });
  }

  private remove(path: string): void {
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        this.options.onProblem?.(`cannot remove ${path}: ${(error as Error).message}`);
    }
  }
}
