/**
 * The undo line `mcpscope instrument` prints is a command a shell runs as printed: a server name with
 * characters a shell acts on (`&`, `<`, `>`, quotes) is quoted, so pasting it undoes the change.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";

const run = promisify(execFile);
const NAME = `files & <docs> 'n' $HOME`;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let home: string;
let file: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  tmp = await tempDir("mcpscope-undo-hint-");
  home = join(tmp.path, "home");
  file = join(home, ".cursor", "mcp.json");
  await mkdir(join(home, ".cursor"), { recursive: true });
  await writeFile(file, JSON.stringify({ mcpServers: { [NAME]: { command: "npx", args: ["-y", "x"] } } }));
  env = { ...process.env, HOME: home, MCPSCOPE_HOME: join(tmp.path, "data") };
  delete env.XDG_CONFIG_HOME;
});
afterAll(() => tmp.cleanup());

it("prints an undo command that a shell runs as printed", async () => {
  const { stdout } = await run(
    process.execPath,
    [MCPSCOPE, "instrument", "--client", "cursor", "--server", NAME],
    {
      env,
    },
  );
  const undo = /`(mcpscope uninstrument [^`]+)` undoes it/.exec(stdout)?.[1];
  expect(undo, stdout).toBe(
    `mcpscope uninstrument --client cursor --server 'files & <docs> '\\''n'\\'' $HOME'`,
  );
  expect(JSON.parse(await readFile(file, "utf8")).mcpServers[NAME].command).not.toBe("npx");
  // Pasted into bash, with `mcpscope` on the PATH as this build.
  const bin = join(tmp.path, "bin");
  await mkdir(bin);
  await writeFile(join(bin, "mcpscope"), `#!/bin/sh\nexec "${process.execPath}" "${MCPSCOPE}" "$@"\n`, {
    mode: 0o755,
  });
  await run("bash", ["-c", undo as string], { env: { ...env, PATH: `${bin}:${env.PATH}` } });
  expect(JSON.parse(await readFile(file, "utf8")).mcpServers[NAME]).toEqual({
    command: "npx",
    args: ["-y", "x"],
  });
});
