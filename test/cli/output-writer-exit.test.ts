/**
 * A process that stops its own way on a signal (the app's engine host, `serve`) while a file is being
 * written through the output writer leaves neither the file nor the hidden temp file holding its first
 * part: the writer removes what it has open when the process exits.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tempDir } from "../helpers/mcp.js";
import { bundleWorker } from "../helpers/worker-bundle.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let script: string;
beforeAll(async () => {
  dir = await tempDir("mcpscope-writer-exit-");
  script = fileURLToPath(
    await bundleWorker(new URL("../fixtures/stopped-mid-save.ts", import.meta.url), dir.path),
  );
});
afterAll(() => dir.cleanup());

it.skipIf(process.platform === "win32")(
  "exiting mid-write removes the temp file and leaves no file",
  async () => {
    const out = join(dir.path, "out");
    mkdirSync(out);
    const child = spawn(process.execPath, [script, join(out, "calls.json"), join(dir.path, "data")], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = once(child, "exit");
    await once(child.stdout, "data");
    expect(readdirSync(out)).toEqual([expect.stringMatching(/^\.calls\.json\.mcpscope-\d+-[0-9a-f]+\.tmp$/)]);
    child.kill("SIGTERM");
    expect((await exited)[0]).toBe(143);
    expect(readdirSync(out)).toEqual([]);
  },
);
