/**
 * A client config with a syntax error: `instrument` and `uninstrument` name the file and the error in
 * discovery's words (not "no server" or "not instrumented"), exit 1, and change nothing; `instrumented`
 * says the file does not parse (not "entry not found").
 */
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MCPSCOPE, ROOT, tempDir } from "../helpers/mcp.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
let home: string;
let file: string;

const GOOD = `{
  "mcpServers": {
    "files": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] }
  }
}
`;
// The last `}` missing.
const BROKEN = GOOD.slice(0, GOOD.lastIndexOf("}"));
const PARSE_ERROR = "line 5: unexpected end of file (expected '}')";

beforeAll(async () => {
  tmp = await tempDir("mcpscope-malformed-config-");
  home = join(tmp.path, "home");
  file = join(home, ".config", "Claude", "claude_desktop_config.json");
  await mkdir(join(home, ".config", "Claude"), { recursive: true });
});
afterAll(() => tmp.cleanup());

function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MCPSCOPE, ...args],
      { cwd: ROOT, env: { ...process.env, HOME: home } },
      (error, stdout, stderr) => {
        resolve({ status: error ? Number((error as { code?: number }).code) : 0, stdout, stderr });
      },
    );
  });
}

const entry = (data: string) => [
  "--client",
  "claude-desktop",
  "--server",
  "files",
  "--home",
  home,
  "--data-dir",
  data,
];

describe("a malformed client config", () => {
  it("instrument names the file and the parse error, exits 1 and writes nothing", async () => {
    await writeFile(file, BROKEN);
    const data = join(tmp.path, "data-instrument");
    const discover = await cli([
      "discover",
      "--client",
      "claude-desktop",
      "--home",
      home,
      "--data-dir",
      data,
    ]);
    expect(discover.stderr).toContain(PARSE_ERROR);

    const run = await cli(["instrument", ...entry(data)]);
    expect(run).toEqual({
      status: 1,
      stdout: "",
      stderr: `mcpscope instrument: cannot find "files": claude-desktop's config ${file}: ${PARSE_ERROR}; fix it and try again (nothing was changed)\n`,
    });
    expect(await readFile(file, "utf8")).toBe(BROKEN);
    expect(await readdir(data).catch(() => [])).not.toContain("instrumented.json");
  });

  it("uninstrument of an entry whose file broke since names the file and the parse error, and keeps it", async () => {
    await writeFile(file, GOOD);
    const data = join(tmp.path, "data-uninstrument");
    expect((await cli(["instrument", ...entry(data)])).status).toBe(0);
    const wrapped = await readFile(file, "utf8");
    const broken = wrapped.slice(0, wrapped.lastIndexOf("}"));
    await writeFile(file, broken);

    const run = await cli(["uninstrument", ...entry(data)]);
    expect(run).toEqual({
      status: 1,
      stdout: "",
      stderr: `mcpscope uninstrument: ${file} does not parse (${PARSE_ERROR}); fix it first\n`,
    });
    expect(await readFile(file, "utf8")).toBe(broken);
    // Still recorded: once the file is fixed, the entry can be restored.
    const listed = await cli(["instrumented", "--json", "--data-dir", data]);
    expect(JSON.parse(listed.stdout).entries).toMatchObject([{ client: "claude-desktop", server: "files" }]);
    // Listed as the file that does not parse, not as an entry that is gone: cut short, or broken before
    // the entry (where its place cannot be found at all).
    for (const [text, error] of [
      [broken, PARSE_ERROR],
      [`{ oops${wrapped.slice(1)}`, "line 1: unexpected 'oops'"],
    ] as const) {
      await writeFile(file, text);
      const table = await cli(["instrumented", "--data-dir", data]);
      expect(table.stdout.split("\n")[1]).toContain(`no (the file does not parse: ${error})`);
    }
    await writeFile(file, wrapped);
    expect((await cli(["uninstrument", ...entry(data)])).status).toBe(0);
    expect(await readFile(file, "utf8")).toBe(GOOD);
  });
});
