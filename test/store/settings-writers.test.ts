/**
 * The app and the CLI change one key of settings.json and keep every other as it is. A file they cannot
 * read, or that does not hold an object, is refused with a one-line input error, and stays as it was:
 * never replaced by a file holding only the changed key.
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MonitoringError } from "../../electron/monitor/errors.js";
import { putSchedule, removeSchedule } from "../../electron/monitor/reports/schedule-file.js";
import { writeStorageSetting } from "../../electron/monitor/store/storage-settings.js";

const schedule = { name: "weekly", period: "week", at: "08:00", folder: "/tmp/reports" };
let dataDir: string;
let path: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "mcpscope-settings-writers-"));
  path = join(dataDir, "settings.json");
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const writers = {
  "a report schedule": () => putSchedule(dataDir, schedule),
  "a removed schedule": () => removeSchedule(dataDir, "weekly"),
  "a storage setting": () => writeStorageSetting(dataDir, { key: "audit", value: "730d" }),
};

async function refusal(write: () => Promise<unknown>): Promise<MonitoringError> {
  const error = await write().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MonitoringError);
  expect((error as MonitoringError).kind).toBe("input");
  expect((error as Error).message).not.toContain("\n");
  return error as MonitoringError;
}

describe("a settings writer", () => {
  for (const [what, write] of Object.entries(writers)) {
    it(`refuses ${what} over a file that holds null or a list, and leaves it as it was`, async () => {
      for (const text of ["null\n", "[1, 2]\n"]) {
        writeFileSync(path, text);
        const error = await refusal(write);
        expect(error.message).toBe(
          `${path} does not hold a JSON object; fix it by hand before changing ${what.includes("storage") ? "settings" : "schedules"} here`,
        );
        expect(readFileSync(path, "utf8")).toBe(text);
      }
    });

    it(`writes ${what} through a settings.json that is a link, which stays one`, async () => {
      const dotfiles = join(dataDir, "dotfiles");
      mkdirSync(dotfiles);
      const kept = join(dotfiles, "settings.json");
      writeFileSync(kept, JSON.stringify({ logs: { minLevel: "info" }, reports: { schedules: [schedule] } }));
      symlinkSync(kept, path);
      await write();
      expect(lstatSync(path).isSymbolicLink()).toBe(true);
      expect(readlinkSync(path)).toBe(kept);
      const written = JSON.parse(readFileSync(kept, "utf8"));
      expect(written.logs).toEqual({ minLevel: "info" });
      if (what.includes("storage")) expect(written.storage).toEqual({ retention: { audit: "730d" } });
      else expect(written.reports.schedules).toHaveLength(what.includes("removed") ? 0 : 1);
      expect(statSync(kept).mode & 0o777).toBe(0o600);
    });

    it(`refuses ${what} through a link to nothing, leaving the link`, async () => {
      symlinkSync(join(dataDir, "gone", "settings.json"), path);
      const error = await refusal(write);
      expect(error.message).toBe(
        `cannot write ${path}: it is a link to ${join(dataDir, "gone", "settings.json")}, which does not exist`,
      );
      expect(lstatSync(path).isSymbolicLink()).toBe(true);
    });

    it(`refuses ${what} when the file cannot be read, rather than writing over it`, async () => {
      mkdirSync(path);
      writeFileSync(join(path, "keep"), "x");
      const error = await refusal(write);
      expect(error.message).toMatch(/^cannot read .*settings\.json \(EISDIR.*\); fix it before changing/);
      expect(statSync(path).isDirectory()).toBe(true);
      expect(readFileSync(join(path, "keep"), "utf8")).toBe("x");
    });
  }

  it("keeps every other key when the file is there, and starts one when it is not", async () => {
    await writeStorageSetting(dataDir, { key: "audit", value: "730d" });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ storage: { retention: { audit: "730d" } } });
    writeFileSync(path, JSON.stringify({ logs: { minLevel: "info" }, storage: 5 }));
    await putSchedule(dataDir, schedule);
    await writeStorageSetting(dataDir, { key: "maxSize", value: "2gb" });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({
      logs: { minLevel: "info" },
      storage: { maxSize: "2gb" },
      reports: { schedules: [expect.objectContaining(schedule)] },
    });
  });
});
