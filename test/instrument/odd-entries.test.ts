/** Entries mcpscope will not wrap are refused in one line that names the entry and its file, and left alone. */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { instrument } from "../../electron/monitor/instrument/instrument.js";
import { tempDir } from "../helpers/mcp.js";
import { NODE_LAUNCHER, server } from "./helpers.js";

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir("mcpscope-odd-");
});
afterEach(() => dir.cleanup());

const opts = () => ({ dataDir: join(dir.path, "data"), launcher: NODE_LAUNCHER });

describe("entries mcpscope does not wrap", () => {
  it("args that are not all strings (a number, true, null, an object) are refused, never turned into text", async () => {
    const file = join(dir.path, "mcp.json");
    const original =
      '{ "mcpServers": { "ev": { "command": "npx", "args": ["srv", "--port", 3000, true, null, { "a": 1 }] } } }\n';
    await writeFile(file, original);
    await expect(
      instrument(server("lmstudio", "ev", file, "jsonc", ["mcpServers", "ev"]), opts()),
    ).rejects.toThrow(
      `ev in ${file} has an argument that is not a string (3000); mcpscope wraps only entries whose args are all strings — quote it, then instrument again (nothing was changed)`,
    );
    expect(await readFile(file, "utf8")).toBe(original);
  });

  it("a YAML entry in flow style is refused naming the entry and the file", async () => {
    const file = join(dir.path, "config.yaml");
    const original = "mcpServers: [{ name: flow, command: npx, args: [srv] }]\n";
    await writeFile(file, original);
    await expect(
      instrument(server("continue", "flow", file, "yaml", ["mcpServers", 0]), opts()),
    ).rejects.toThrow(
      new RegExp(
        `^cannot wrap flow in ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*edit this entry by hand$`,
      ),
    );
    expect(await readFile(file, "utf8")).toBe(original);
  });
});
