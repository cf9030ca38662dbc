/** The three commands over fixture homes: --all restores every client's config; usage errors are one line. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliInProcess, cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { copyFixture } from "./helpers.js";

let tmp: { path: string; cleanup: () => Promise<void> };
let home: string;
let data: string;
beforeAll(async () => {
  tmp = await tempDir("mcpscope-instrument-cli-");
  home = join(tmp.path, "home");
  data = join(tmp.path, "data");
});
afterAll(() => tmp.cleanup());

async function fails(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { status, stdout, stderr } = await cliInProcess(args);
  if (status === 0) throw new Error(`mcpscope ${args.join(" ")} succeeded`);
  return { code: status, stdout, stderr };
}

describe("mcpscope instrument, uninstrument --all, instrumented", () => {
  it("instruments servers of two clients, then --all restores both files byte for byte", async () => {
    const codex = await copyFixture(join(home, ".codex"), "codex-config.toml", "config.toml");
    const goose = await copyFixture(join(home, ".config", "goose"), "goose-config.yaml", "config.yaml");
    const before = { codex: await readFile(codex, "utf8"), goose: await readFile(goose, "utf8") };
    const at = ["--home", home, "--data-dir", data];

    const { stdout } = await cliOkInProcess([
      "instrument",
      "--client",
      "codex",
      "--server",
      "git tools",
      ...at,
    ]);
    expect(stdout).toMatch(
      /^instrumented git tools \(codex\) in .*config\.toml\n {2}was: uvx mcp-server-git\n {2}now: /,
    );
    expect(stdout).toContain("restart codex to pick up the change");
    await cliOkInProcess(["instrument", "--client", "goose", "--server", "github", ...at]);
    const again = await cliJsonInProcess<{ status: string }>([
      "instrument",
      "--client",
      "goose",
      "--server",
      "github",
      ...at,
    ]);
    expect(again.status).toBe("already-instrumented");

    const listed = await cliJsonInProcess<{
      entries: Array<{ client: string; server: string; in_place: boolean }>;
    }>(["instrumented", "--data-dir", data]);
    expect(listed.entries.map((e) => [e.client, e.server, e.in_place])).toEqual([
      ["codex", "git tools", true],
      ["goose", "github", true],
    ]);
    expect((await cliOkInProcess(["instrumented", "--data-dir", data])).stdout).toMatch(
      /CLIENT\s+SERVER\s+SCOPE\s+WRAPPED\s+SINCE\s+FILE\ncodex\s+git tools\s+user\s+yes/,
    );

    const all = await cliOkInProcess(["uninstrument", "--all", "--data-dir", data]);
    expect(all.stdout).toContain("restart codex, goose to pick up the change");
    expect(await readFile(codex, "utf8")).toBe(before.codex);
    expect(await readFile(goose, "utf8")).toBe(before.goose);
    expect((await cliOkInProcess(["uninstrument", "--all", "--data-dir", data])).stdout).toBe(
      "nothing is instrumented; no config was changed\n",
    );
  });

  it("uninstrument --json of a matched entry it refuses names the entry's file", async () => {
    const own = join(tmp.path, "refused-data");
    const lmHome = join(tmp.path, "refused-home");
    const file = join(lmHome, ".lmstudio", "mcp.json");
    await mkdir(dirname(file), { recursive: true });
    await writeFile(
      file,
      '{ "mcpServers": { "memory": { "command": "npx", "args": ["-y", "server-memory"] } } }\n',
    );
    await cliOkInProcess([
      "instrument",
      "--client",
      "lmstudio",
      "--server",
      "memory",
      "--home",
      lmHome,
      "--data-dir",
      own,
    ]);
    const wrapped = await readFile(file, "utf8");
    await writeFile(file, wrapped.replace('"run"', '"run", "--quiet"'));

    const failed = await fails([
      "uninstrument",
      "--client",
      "lmstudio",
      "--server",
      "memory",
      "--json",
      "--data-dir",
      own,
    ]);
    expect(failed.code).toBe(1);
    const [entry, ...more] = (JSON.parse(failed.stdout) as { entries: Array<Record<string, unknown>> })
      .entries;
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      client: "lmstudio",
      server: "memory",
      file,
      status: "failed",
      backup: null,
    });
    expect(entry?.error).toMatch(/--force/);
    expect(failed.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("uninstrument --json of one entry prints a document when it fails, as --all does", async () => {
    const failed = await fails([
      "uninstrument",
      "--client",
      "lmstudio",
      "--server",
      "nothere",
      "--json",
      "--data-dir",
      data,
    ]);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toEqual({
      entries: [
        {
          client: "lmstudio",
          server: "nothere",
          file: null,
          status: "failed",
          backup: null,
          warning: null,
          error: `nothere (lmstudio) is not instrumented in ${data}; \`mcpscope instrumented\` lists what is`,
        },
      ],
    });
    expect(failed.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("errors are one line with the right exit code", async () => {
    expect(await fails(["uninstrument", "--data-dir", data])).toMatchObject({
      code: 2,
      stderr:
        "mcpscope uninstrument: --client (or --all) is required (claude-desktop, claude-code, cursor, vscode, windsurf, cline, zed, gemini, codex, continue, lmstudio, goose)\n",
    });
    expect(await fails(["instrument", "--client", "nope", "--server", "x"])).toMatchObject({ code: 2 });
    const missing = await fails([
      "instrument",
      "--client",
      "zed",
      "--server",
      "x",
      "--home",
      home,
      "--data-dir",
      data,
    ]);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toMatch(/^mcpscope instrument: no server "x" in zed's config; .*\n$/);
    const notWrapped = await fails(["uninstrument", "--client", "zed", "--server", "x", "--data-dir", data]);
    expect(notWrapped.stderr).toMatch(/^mcpscope uninstrument: x \(zed\) is not instrumented in .*\n$/);
  });
});
