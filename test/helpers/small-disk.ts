/**
 * A small tmpfs for a test file's full-disk cases, mounted in a temp folder before its tests and unmounted
 * after. Mounting needs root (as in CI's container); where it fails, the file says loudly that its cases
 * are skipped, and each case skips itself on `mounted` being false.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { tempDir } from "./mcp.js";

export interface SmallDisk {
  readonly mounted: boolean;
  readonly mountPoint: string;
}

/** Registers the mount (`size` as tmpfs takes it: `2m`, `16m`) for the calling test file, named in the warning. */
export function useSmallDisk(size: string, testFile: string): SmallDisk {
  const disk = { mounted: false, mountPoint: "" };
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  beforeAll(async () => {
    dir = await tempDir();
    disk.mountPoint = join(dir.path, "small");
    mkdirSync(disk.mountPoint);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", disk.mountPoint], {
        stdio: "ignore",
      });
      disk.mounted = true;
    } catch {
      console.warn(`\n*** SKIPPED ${testFile}: cannot mount a tmpfs here (needs root). ***\n`);
    }
  });
  afterAll(async () => {
    if (disk.mounted) execFileSync("umount", ["-l", disk.mountPoint], { stdio: "ignore" });
    await dir?.cleanup();
  });
  return disk;
}
