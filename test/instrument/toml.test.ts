import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { instrument } from "../../electron/monitor/instrument/instrument.js";
import { tempDir } from "../helpers/mcp.js";
import { APP_LAUNCHER, copyFixture, entryFields, NODE_LAUNCHER, roundTrip, server } from "./helpers.js";

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir("mcpscope-instrument-");
});
afterEach(() => dir.cleanup());

const data = () => join(dir.path, "data");

describe("Codex TOML [mcp_servers.NAME]", () => {
  for (const launcher of [NODE_LAUNCHER, APP_LAUNCHER]) {
    const kind = launcher === NODE_LAUNCHER ? "npm launcher" : "app launcher";

    it(`multi-line args with comments, env sub-table, other tables around (${kind})`, async () => {
      const file = await copyFixture(dir.path, "codex-config.toml");
      const text = await roundTrip(
        server("codex", "files", file, "toml", ["mcp_servers", "files"]),
        data(),
        launcher,
      );
      expect(text).toContain('command = "/opt/'); // the comment after the value is kept
      expect(text).toMatch(/command = "[^"]+" {3}# from PATH/);
      if (launcher === APP_LAUNCHER) expect(text).toContain('DEBUG = "1"\nELECTRON_RUN_AS_NODE = "1"\n');
    });

    it(`quoted table name, literal strings, inline env (${kind})`, async () => {
      const file = await copyFixture(dir.path, "codex-config.toml");
      await roundTrip(
        server("codex", "git tools", file, "toml", ["mcp_servers", "git tools"]),
        data(),
        launcher,
      );
    });

    it(`table without args, before a multi-line string that looks like a table (${kind})`, async () => {
      const file = await copyFixture(dir.path, "codex-config.toml");
      const text = await roundTrip(
        server("codex", "bare", file, "toml", ["mcp_servers", "bare"]),
        data(),
        launcher,
      );
      expect(text).toContain('text = """\n[not_a_table]\n"""\n');
    });
  }

  it("dotted env keys and CRLF line endings", async () => {
    const file = join(dir.path, "config.toml");
    await writeFile(
      file,
      '# top\r\n[mcp_servers.x]\r\ncommand = "srv"\r\nargs = ["--a"] # flags\r\nenv.TOKEN = "t"\r\n\r\n[other]\r\nk = 1\r\n',
    );
    const text = await roundTrip(
      server("codex", "x", file, "toml", ["mcp_servers", "x"]),
      data(),
      APP_LAUNCHER,
    );
    expect(text).toContain('env.TOKEN = "t"\r\nenv.ELECTRON_RUN_AS_NODE = "1"\r\n');
  });

  it("strings that need escaping survive the round trip", async () => {
    const file = join(dir.path, "config.toml");
    await writeFile(
      file,
      '[mcp_servers.x]\ncommand = "C:\\\\Tools\\\\srv.exe"\nargs = ["say \\"hi\\"", "tab\\there", "ünï"]\n',
    );
    const s = server("codex", "x", file, "toml", ["mcp_servers", "x"]);
    const before = entryFields(await readFile(file, "utf8"), s);
    await instrument(s, { dataDir: data(), launcher: NODE_LAUNCHER });
    const after = entryFields(await readFile(file, "utf8"), s);
    expect(after.args.slice(-4)).toEqual([before.command, ...before.args]);
  });

  it("an entry written as an inline table is refused, and the file is left alone", async () => {
    const file = join(dir.path, "config.toml");
    const original = '[mcp_servers]\nx = { command = "srv", args = [] }\n';
    await writeFile(file, original);
    await expect(
      instrument(server("codex", "x", file, "toml", ["mcp_servers", "x"]), {
        dataDir: data(),
        launcher: NODE_LAUNCHER,
      }),
    ).rejects.toThrow(
      `cannot wrap x in ${file}: it is written as an inline table or dotted keys, not as its own [mcp_servers.x] table (the only form mcpscope edits); wrap it by hand`,
    );
    expect(await readFile(file, "utf8")).toBe(original);
  });
});
