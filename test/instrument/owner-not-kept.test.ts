/**
 * A config whose group the user running mcpscope is not in cannot be replaced with its owner and group
 * kept: the edit is refused in one line and nothing is changed (run as `nobody` on a file of group root;
 * setting that up needs root).
 */
import { spawnSync } from "node:child_process";
import { chmod, chown, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRecords } from "../../electron/monitor/instrument/records.js";
import { MCPSCOPE, ROOT, tempDir } from "../helpers/mcp.js";

const NOBODY = 65534;
let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir("mcpscope-owner-");
});
afterAll(() => dir.cleanup());

describe.skipIf(process.getuid?.() !== 0)("a config whose group mcpscope's user cannot keep", () => {
  it("is refused in one line, with the file, its owner and the records unchanged", async () => {
    await chmod(dir.path, 0o755);
    const home = join(dir.path, "home");
    const data = join(dir.path, "data");
    const file = join(home, ".cursor", "mcp.json");
    await mkdir(join(home, ".cursor"), { recursive: true });
    await mkdir(data);
    const original =
      '{ "mcpServers": { "memory": { "command": "npx", "args": ["-y", "server-memory"] } } }\n';
    await writeFile(file, original);
    for (const path of [home, join(home, ".cursor"), data]) await chown(path, NOBODY, NOBODY);
    await chown(file, NOBODY, 0);

    const args = [
      "instrument",
      "--client",
      "cursor",
      "--server",
      "memory",
      "--home",
      home,
      "--data-dir",
      data,
    ];
    const run = spawnSync(process.execPath, [MCPSCOPE, ...args], {
      cwd: ROOT,
      uid: NOBODY,
      gid: NOBODY,
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `mcpscope instrument: cannot write ${file} with its owner and group kept (uid ${NOBODY}, gid 0); nothing was changed — run the command as its owner\n`,
    );
    expect(await readFile(file, "utf8")).toBe(original);
    expect(await stat(file)).toMatchObject({ uid: NOBODY, gid: 0 });
    expect(await readRecords(data)).toEqual([]);
    expect((await readdir(join(home, ".cursor"))).sort()).toEqual(["mcp.json"]);
  });
});
