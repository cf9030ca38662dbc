/** Rotated, gzipped JSON-lines files: every line in exactly one file, under load and after a crash. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LogFileSink } from "../../electron/monitor/logs/log-file-sink.js";
import { LogSettingsSource } from "../../electron/monitor/logs/log-settings.js";
import { RotatingFile, safeFileName } from "../../electron/monitor/logs/rotating-file.js";
import { tempDir } from "../helpers/mcp.js";
import { insertLogs, tempStore } from "./store.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir("mcpscope-rotate-");
});
afterEach(() => dir.cleanup());

/** Every line, in order: rotated files (gunzipped) by number, then the current file. */
function readAll(file: RotatingFile): string[] {
  return file
    .files()
    .filter((f) => existsSync(f))
    .flatMap((f) => {
      const bytes = readFileSync(f);
      return (f.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8").split("\n").filter(Boolean);
    });
}

describe("RotatingFile", () => {
  it("under load: the concatenation of all rotated files equals the lines written, none lost or doubled", async () => {
    const file = new RotatingFile({
      dir: dir.path,
      name: "files",
      maxBytes: 32 * 1024,
      rotateEveryMs: 3_600_000,
      keep: 10_000,
    });
    const written: string[] = [];
    let n = 0;
    for (let batch = 0; n < 20_000; batch++) {
      const size = 1 + ((batch * 37) % 200);
      const lines = Array.from({ length: size }, () =>
        JSON.stringify({ n: n++, msg: `line ${n} ${"é".repeat(n % 50)}` }),
      );
      file.append(lines);
      written.push(...lines);
      // Let background compression run while appends and rotations continue.
      if (batch % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await file.idle();
    const names = readdirSync(dir.path);
    expect(names.filter((f) => f.endsWith(".jsonl.gz")).length).toBeGreaterThan(40);
    expect(names.filter((f) => /\.\d+\.jsonl$|\.tmp$/.test(f))).toEqual([]); // all compressed, no partials
    expect(readAll(file)).toEqual(written);
  });

  it("keeps at most `keep` rotated files: the newest ones", async () => {
    const file = new RotatingFile({
      dir: dir.path,
      name: "m",
      maxBytes: 100,
      rotateEveryMs: 3_600_000,
      keep: 3,
    });
    const lines = Array.from({ length: 50 }, (_, i) => `{"n":${i},"pad":"${"x".repeat(40)}"}`);
    for (const line of lines) file.append([line]);
    await file.idle();
    expect(readdirSync(dir.path).filter((f) => f.endsWith(".gz"))).toHaveLength(3);
    const kept = readAll(file);
    expect(kept).toEqual(lines.slice(lines.length - kept.length)); // the tail, contiguous
  });

  it("rotates by time", async () => {
    let now = 1_000_000;
    const file = new RotatingFile({
      dir: dir.path,
      name: "t",
      maxBytes: 1e9,
      rotateEveryMs: 60_000,
      keep: 10,
      now: () => now,
    });
    file.append(["a"]);
    now += 30_000;
    file.append(["b"]);
    now += 31_000;
    file.append(["c"]);
    await file.idle();
    expect(readdirSync(dir.path).sort()).toEqual(["t.000001.jsonl.gz", "t.jsonl"]);
    expect(readAll(file)).toEqual(["a", "b", "c"]);
  });

  it("finishes what a crash interrupted: partial .gz.tmp dropped, finished ones cleaned, pending ones compressed", async () => {
    writeFileSync(join(dir.path, "x.000003.jsonl"), "3\n");
    writeFileSync(join(dir.path, "x.000003.jsonl.gz"), gzipSync("3\n"));
    writeFileSync(join(dir.path, "x.000004.jsonl"), "4\n");
    writeFileSync(join(dir.path, "x.000004.jsonl.gz.tmp"), "partial");
    writeFileSync(join(dir.path, "x.jsonl"), "5\n");
    const file = new RotatingFile({
      dir: dir.path,
      name: "x",
      maxBytes: 1,
      rotateEveryMs: 3_600_000,
      keep: 10,
    });
    file.append(["6"]);
    await file.idle();
    expect(readdirSync(dir.path).sort()).toEqual([
      "x.000003.jsonl.gz",
      "x.000004.jsonl.gz",
      "x.000005.jsonl.gz",
      "x.jsonl",
    ]);
    expect(readAll(file)).toEqual(["3", "4", "5", "6"]);
  });

  it("makes server names safe file names", () => {
    expect(safeFileName("files")).toBe("files");
    expect(safeFileName("../etc/passwd")).toMatch(/^__etc_passwd-[0-9a-f]{8}$/);
    expect(safeFileName("a/b")).not.toBe(safeFileName("a_b"));
  });
});

describe("LogFileSink", () => {
  it("writes enabled servers' records as JSON lines, once each, even after a crash before its cursor was saved", async () => {
    const store = await tempStore();
    try {
      const logsDir = join(store.dataDir, "logs");
      writeFileSync(
        join(store.dataDir, "settings.json"),
        JSON.stringify({ logs: { files: { enabled: ["files"], maxBytes: "1KB", keep: 100 } } }),
      );
      insertLogs(store.db, [{ message: "before the files were on" }]);
      const sink = new LogFileSink(store.db, new LogSettingsSource(store.dataDir));
      expect(sink.step()).toBe(0); // starts from now, not the whole history
      const ids = insertLogs(
        store.db,
        Array.from({ length: 40 }, (_, i) => ({
          message: `record ${i}`,
          server: i % 4 === 0 ? "memory" : "files",
        })),
      );
      expect(sink.step()).toBe(40);
      // A crash after the append but before the cursor was saved: the cursor file is behind.
      writeFileSync(join(logsDir, ".cursor.json"), JSON.stringify({ lastId: ids[0]! - 1 }));
      await sink.close();
      const again = new LogFileSink(store.db, new LogSettingsSource(store.dataDir));
      again.step();
      await again.close();
      const file = new RotatingFile({
        dir: logsDir,
        name: "files",
        maxBytes: 1024,
        rotateEveryMs: 3_600_000,
        keep: 100,
      });
      await file.idle();
      const records = readAll(file).map(
        (l) => JSON.parse(l) as { id: number; message: string; server: string },
      );
      expect(records.map((r) => r.message)).toEqual(
        Array.from({ length: 40 }, (_, i) => i)
          .filter((i) => i % 4 !== 0)
          .map((i) => `record ${i}`),
      );
      expect(readdirSync(logsDir).filter((f) => f.startsWith("memory"))).toEqual([]);
      expect(readdirSync(logsDir).filter((f) => f.endsWith(".gz")).length).toBeGreaterThan(1);
    } finally {
      await store.cleanup();
    }
  });
});
