/**
 * `mcpscope serve --listen` on a port browsers refuse (the Fetch standard's bad ports) is a usage error,
 * in proxy's words, before anything listens: the URL it would print could not be opened in any browser.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir();
});

afterAll(async () => {
  await dir?.cleanup();
});

it("refuses a --listen port browsers block, in one line (exit 2), opening nothing", async () => {
  const dataDir = join(dir.path, "data");
  const result = await cliInProcess(["serve", "--listen", "127.0.0.1:6000", "--data-dir", dataDir]);
  expect(result).toEqual({
    status: 2,
    stdout: "",
    stderr:
      "mcpscope serve: --listen 127.0.0.1:6000: fetch refuses port 6000 for safety (browsers block it too); listen on another port\n",
  });
  expect(existsSync(dataDir)).toBe(false);
});
