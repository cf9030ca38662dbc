/**
 * Ctrl-C (or a kill) during `audit export --output FILE` leaves nothing behind: not the file, which is put
 * in place only when whole, nor the hidden temp file holding the part of the audit trail written so far.
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { recordAdminAction } from "../../electron/monitor/audit/audit-log.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { MCPSCOPE, ROOT, RUNTIME, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let data: string;
beforeAll(async () => {
  dir = await tempDir("mcpscope-export-int-");
  data = join(dir.path, "data");
  const db = openDb(databasePath(data));
  db.transaction(() => {
    for (let i = 0; i < 40_000; i++)
      recordAdminAction(db, {
        action: "test",
        actor: "me",
        target: `t${i}`,
        time: Date.UTC(2026, 0, 1) + i,
        details: { pad: "x".repeat(200) },
      });
  });
  db.close();
});
afterAll(() => dir.cleanup());

/** The entries of `folder` once `seen` holds for them (checked as the folder changes, not on a timer). */
async function once(folder: string, seen: (names: string[]) => Promise<boolean>): Promise<string[]> {
  for (;;) {
    const names = await readdir(folder);
    if (await seen(names)) return names;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

it.skipIf(process.platform === "win32")(
  "SIGINT mid-export removes the partial temp file and exits 130",
  async () => {
    const out = join(dir.path, "out");
    await mkdir(out);
    // The project's Node, not whichever runs the tests: a re-exec launcher would be what SIGSTOP stops.
    const child = spawn(
      RUNTIME,
      [MCPSCOPE, "audit", "export", "--data-dir", data, "--output", join(out, "a.jsonl")],
      { cwd: ROOT, stdio: "ignore" },
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    // Stopped while the temp file is being written, so the signal lands mid-export.
    await once(out, async (names) => {
      const temp = names.find((n) => n.endsWith(".tmp"));
      return temp !== undefined && (await stat(join(out, temp)).catch(() => null))?.size !== 0;
    });
    child.kill("SIGSTOP");
    expect((await readdir(out)).some((n) => n.endsWith(".tmp"))).toBe(true);
    child.kill("SIGINT");
    child.kill("SIGCONT");
    expect(await exited).toBe(130);
    expect(await readdir(out)).toEqual([]);
  },
  120_000,
);
