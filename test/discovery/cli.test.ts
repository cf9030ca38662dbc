/** The real `mcpscope discover` command, run as a user would, against the fixture home. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addManualServer } from "../../electron/monitor/discovery/manual-servers.js";
import { DiscoveryResultSchema } from "../../shared/discovery.js";
import { EXPECTED_LINUX, FIXTURE_SECRETS } from "./expected-linux.js";
import { BIN, LINUX_HOME, ROOT } from "./helpers.js";

let scratch = "";
let dataDir = "";

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/cli.mjs")))
    throw new Error("dist/ is not built: run `node build/build.mjs node` (npm test builds first)");
  scratch = await mkdtemp(join(tmpdir(), "mcpscope-discover-cli-"));
  dataDir = join(scratch, "data");
  await addManualServer(dataDir, {
    name: "by-hand",
    command: "node",
    args: ["server.js"],
    env: { API_TOKEN: "manual-secret-123" },
  });
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

function discover(...args: string[]) {
  const project = join(LINUX_HOME, "projects/app");
  const argv = [BIN, "discover", "--home", LINUX_HOME, "--project", project, "--data-dir", dataDir, ...args];
  return spawnSync(process.execPath, argv, { cwd: scratch, encoding: "utf8", timeout: 30_000 });
}

describe("mcpscope discover", () => {
  it("--json prints the documented document: every server, masked, and the warning", () => {
    const run = discover("--json");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    const doc = JSON.parse(run.stdout);
    expect(Object.keys(doc)).toEqual(["servers", "warnings"]);
    const result = DiscoveryResultSchema.parse(doc);
    expect(Object.keys(doc.servers[0])).toEqual([
      ...["id", "name", "client", "scope", "file", "transport", "command", "args", "env", "cwd", "url"],
      ...["headers", "instrumented", "disabled"],
    ]);
    const names = result.servers.map((s) => `${s.client}/${s.scope}/${s.name}`);
    expect(names).toEqual([
      ...EXPECTED_LINUX.map((e) => `${e.client}/${e.scope}/${e.name}`),
      "manual/manual/by-hand",
    ]);
    expect(result.servers.at(-1)).toMatchObject({
      file: null,
      env: { API_TOKEN: "[masked:named-secret…-123]" },
      transport: "stdio",
    });
    expect(result.servers.filter((s) => s.instrumented).map((s) => s.name)).toEqual(["files"]);
    expect(result.warnings).toEqual([
      {
        file: join(LINUX_HOME, "projects/app/.cursor/mcp.json"),
        message: "line 6: unexpected ',' (expected a property name)",
      },
    ]);
    for (const secret of [...FIXTURE_SECRETS, "manual-secret-123"]) expect(run.stdout).not.toContain(secret);
  });

  it("prints a table by default, with warnings on stderr", () => {
    const run = discover("--client", "cursor");
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+CLIENT\s+SCOPE\s+TRANSPORT\s+COMMAND\/URL\s+INSTRUMENTED$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      [
        "files",
        "cursor",
        "user",
        "stdio",
        "mcpscope run --name files --client cursor -- npx -y @modelcontextprotoc…",
        "yes",
      ],
      [
        "openai-tools",
        "cursor",
        "user",
        "stdio",
        "npx -y openai-mcp --api-key [masked:named-secret…0000]",
        "no",
      ],
      ["context7", "cursor", "user", "http", "https://mcp.context7.com/mcp", "no"],
    ]);
    // Under --home the real path: ~ would be the user's own home, where no such file is.
    expect(run.stderr).toBe(
      `warning: ${LINUX_HOME}/projects/app/.cursor/mcp.json: line 6: unexpected ',' (expected a property name)\n`,
    );
  });

  it("says which files it looked at when it finds nothing", () => {
    const argv = [BIN, "discover", "--home", scratch, "--data-dir", join(scratch, "empty")];
    const run = spawnSync(process.execPath, argv, { cwd: scratch, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^No MCP servers found\. Looked at:\n/);
    expect(run.stdout).toContain(`  ${scratch}/.claude.json\n`);
    expect(run.stdout).toContain(`  ${scratch}/.config/Claude/claude_desktop_config.json\n`);
    expect(run.stdout).toContain(`  ${scratch}/.continue/mcpServers/*\n`);
    expect(run.stdout).toContain(`  ${scratch}/.config/Code/User/profiles/*/mcp.json\n`);
    expect(run.stdout).toContain(`  ${scratch}/.gemini/extensions/*/gemini-extension.json\n`);
    expect(run.stdout).toContain(`  ${scratch}/.cline/data/settings/cline_mcp_settings.json\n`);
  });

  it("says what `--client manual` lists when nothing was added by hand", () => {
    const empty = join(scratch, "empty");
    const argv = [BIN, "discover", "--client", "manual", "--home", scratch, "--data-dir", empty];
    const run = spawnSync(process.execPath, argv, { cwd: scratch, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      `No servers added by hand. \`manual\` lists the servers added in the app (Add server), kept in ${join(empty, "servers.json")}.\n`,
    );
  });

  it("reads every project given by a repeated --project, and refuses an empty one", async () => {
    const other = join(scratch, "other-project");
    await mkdir(other, { recursive: true });
    await writeFile(
      join(other, ".mcp.json"),
      JSON.stringify({ mcpServers: { "second-project": { command: "node", args: ["s.js"] } } }),
    );
    const run = discover("--project", other, "--client", "claude-code", "--json");
    expect(run.status, run.stderr).toBe(0);
    const names = DiscoveryResultSchema.parse(JSON.parse(run.stdout)).servers.map((s) => s.name);
    expect(names).toContain("second-project");
    // The first --project (the fixture's app) is still read.
    expect(names.length).toBeGreaterThan(1);
    const empty = discover("--project=");
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/^mcpscope discover: --project /);
  });

  it("rejects an unknown client in one line, exit 2", () => {
    const run = discover("--client", "notepad");
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^mcpscope discover: unknown client "notepad"; one of: claude-desktop, .*manual\n$/,
    );
  });
});
