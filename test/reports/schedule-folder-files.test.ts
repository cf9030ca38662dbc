/**
 * A scheduled report goes into its folder through the writer `mcpscope report --output` uses: a report of
 * the same name is replaced whole or not at all (on a full disk the one there is kept and the run says
 * so), and a link there keeps pointing where the user put it, the file it names getting the new report.
 */
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statfsSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { ReportScheduler } from "../../electron/monitor/reports/scheduler.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { iso } from "../../electron/monitor/time.js";
import { reportFilename } from "../../shared/report.js";
import { openStore, VirtualClock } from "../alerts/alert-fixtures.js";
import { tempDir } from "../helpers/mcp.js";
import { useSmallDisk } from "../helpers/small-disk.js";

const disk = useSmallDisk("2m", "test/reports/schedule-folder-files.test.ts");

const DAY = 86_400_000;
const local = (y: number, m: number, d: number, h: number) => new Date(y, m - 1, d, h).getTime();
const DUE = local(2026, 12, 7, 8);

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
beforeEach(async () => {
  dir = await tempDir();
  db = openStore(dir.path);
});
afterEach(async () => {
  db.close();
  await dir.cleanup();
});

/** A daily Markdown report into `folder`, put before 08:00; returns the scheduler and the file it writes. */
async function dailyInto(folder: string) {
  const clock = new VirtualClock(DUE - 3_600_000);
  const scheduler = new ReportScheduler({
    dataDir: dir.path,
    db,
    now: clock.now,
    build: {},
    channelType: () => undefined,
    warn: () => {},
  });
  await scheduler.put({ name: "daily", period: "day", at: "08:00", formats: ["md"], folder });
  clock.t = DUE;
  const file = join(folder, `daily-${reportFilename({ since: iso(DUE - DAY), until: iso(DUE) }, "md")}`);
  return { scheduler, file };
}

/** Fills the file system but for `keep` bytes. */
function fill(path: string, keep: number): void {
  const stat = statfsSync(disk.mountPoint);
  const fd = openSync(path, "w");
  const block = Buffer.alloc(64 * 1024, 1);
  for (let left = stat.bavail * stat.bsize - keep; left > 0; left -= block.length)
    writeSync(fd, block, 0, Math.min(block.length, left));
  closeSync(fd);
}

it("on a full disk keeps the report that was there, leaves no temp file, and says nothing was changed", async (context) => {
  if (!disk.mounted) context.skip();
  const folder = join(disk.mountPoint, "reports");
  mkdirSync(folder);
  const { scheduler, file } = await dailyInto(folder);
  writeFileSync(file, "THE REPORT THAT WAS THERE\n");
  fill(join(disk.mountPoint, "filler"), 0);

  expect(await scheduler.tick()).toBe(1);
  const [run] = scheduler.runs({});
  expect(run?.outcome).toBe("failed");
  expect(run?.destinations).toEqual([
    expect.objectContaining({
      kind: "folder",
      target: file,
      status: "failed",
      error: expect.stringMatching(
        new RegExp(`^cannot write ${file}: .*(ENOSPC|no space).*; nothing was changed$`),
      ),
    }),
  ]);
  expect(readFileSync(file, "utf8")).toBe("THE REPORT THAT WAS THERE\n");
  expect(readdirSync(folder).filter((name) => name.endsWith(".tmp"))).toEqual([]);
});

it.skipIf(process.platform === "win32")(
  "writes through a link in its folder: the link stays, the file it names gets the report, owner-only",
  async () => {
    const folder = join(dir.path, "reports");
    const synced = join(dir.path, "synced");
    mkdirSync(folder);
    mkdirSync(synced);
    const { scheduler, file } = await dailyInto(folder);
    const kept = join(synced, "daily.md");
    writeFileSync(kept, "LAST WEEK'S\n", { mode: 0o644 });
    symlinkSync(kept, file);

    expect(await scheduler.tick()).toBe(1);
    expect(scheduler.runs({})[0]).toMatchObject({ outcome: "delivered" });
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(readFileSync(kept, "utf8")).toMatch(/^# mcpscope report/);
    expect(statSync(kept).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder)).toEqual([file.slice(folder.length + 1)]);
  },
);
