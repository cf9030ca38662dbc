// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the literal ${…} variables clients write
/**
 * Variables a client fills in at launch (VS Code's ${workspaceFolder}…), filled in the same way when
 * mcpscope launches or probes the entry; one only the client can fill in is named plainly. Also the
 * `discover --project` typo warning.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  resolveLaunchVariables,
  resolveRemoteVariables,
} from "../../electron/monitor/discovery/launch-variables.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { SERVERS, tempDir } from "../helpers/mcp.js";

let scratch: { path: string; cleanup: () => Promise<void> };
let home: string;
let project: string;
let dataDir: string;

beforeAll(async () => {
  scratch = await tempDir("mcpscope-variables-");
  home = join(scratch.path, "home");
  project = join(scratch.path, "ws");
  dataDir = join(scratch.path, "data");
  await mkdir(join(project, ".vscode"), { recursive: true });
  await mkdir(home, { recursive: true });
  // Claude Code knows the project, so discovery reads its .vscode/mcp.json whatever the current folder.
  await writeFile(join(home, ".claude.json"), JSON.stringify({ projects: { [project]: {} } }));
  const [fsServer] = SERVERS.filesystem("");
  const servers = {
    "ws-fs": {
      type: "stdio",
      command: process.execPath,
      args: [fsServer, "${workspaceFolder}"],
      cwd: "${workspaceFolder}",
      env: { SEEN_HOME: "${userHome}", SEEN_PATH: "${env:PATH}" },
    },
    "ws-input": { type: "stdio", command: process.execPath, args: ["${input:script}"] },
    "ws-remote": {
      type: "http",
      url: "http://127.0.0.1:9/mcp",
      headers: { Authorization: "Bearer ${input:token}" },
    },
  };
  await writeFile(join(project, ".vscode", "mcp.json"), JSON.stringify({ servers }, null, 2));
});
afterAll(() => scratch.cleanup());

const check = (server: string) =>
  cliInProcess(["check", "--server", server, "--home", home, "--data-dir", dataDir, "--json"]);

describe("client variables at launch", () => {
  it("check --server launches a VS Code workspace entry in its ${workspaceFolder}", async () => {
    const result = await check("ws-fs");
    expect(result.stderr).toBe("");
    const doc = JSON.parse(result.stdout) as { healthy: boolean; tools: Array<{ name: string }> };
    expect(doc.healthy).toBe(true);
    expect(doc.tools.map((t) => t.name)).toContain("list_allowed_directories");
    expect(result.status).toBe(0);
  });

  it("names a variable only VS Code can fill in, in one line", async () => {
    const result = await check("ws-input");
    expect(result.status).toBe(1);
    expect(result.stderr + result.stdout).toMatch(/uses \$\{input:script\}, which VS Code asks you for/);
    expect(result.stderr + result.stdout).not.toMatch(/command not found/);
  });

  it("names the variable in a remote entry's header rather than sending it as text", async () => {
    const result = await check("ws-remote");
    expect(result.status).toBe(1);
    expect(result.stderr + result.stdout).toMatch(/ws-remote \(vscode\) uses \$\{input:token\}/);
  });

  it("fills in each client's own variables from where the file is, and leaves other text alone", () => {
    const values = { command: "node", args: [], env: {}, cwd: null };
    const vscode = { name: "s", client: "vscode" as const, scope: "workspace" as const };
    const resolved = resolveLaunchVariables(
      { ...vscode, file: "/src/app/.vscode/mcp.json" },
      {
        ...values,
        args: ["${workspaceFolder}${/}a", "${workspaceFolderBasename}", "${userHome}", "$HOME", "${FOO}"],
        env: { P: "${env:TOKEN_DIR}/x", Q: "${env:UNSET}" },
      },
      { HOME: "/home/me", TOKEN_DIR: "/t" },
    );
    expect(resolved.args).toEqual(["/src/app/a", "app", "/home/me", "$HOME", "${FOO}"]);
    expect(resolved.env).toEqual({ P: "/t/x", Q: "" });
    const user = { ...vscode, scope: "user" as const, file: "/home/me/.config/Code/User/mcp.json" };
    expect(() => resolveLaunchVariables(user, { ...values, cwd: "${workspaceFolder}" }, {})).toThrow(
      /uses \$\{workspaceFolder\}, which VS Code fills in with the folder open in it/,
    );
    const extension = {
      name: "e",
      client: "gemini" as const,
      scope: "user" as const,
      file: "/home/me/.gemini/extensions/db/gemini-extension.json",
    };
    expect(
      resolveLaunchVariables(extension, { ...values, args: ["${extensionPath}${/}s.js"] }, {}).args,
    ).toEqual(["/home/me/.gemini/extensions/db/s.js"]);
    const remote = { url: "https://${env:API_HOST}/mcp", headers: { "X-Home": "${userHome}" } };
    expect(
      resolveRemoteVariables({ ...vscode, file: "/a/.vscode/mcp.json" }, remote, {
        HOME: "/h",
        API_HOST: "api.example.com",
      }),
    ).toEqual({
      url: "https://api.example.com/mcp",
      headers: { "X-Home": "/h" },
    });
    // Other clients launch their text as written: mcpscope does the same.
    const cursor = { ...extension, client: "cursor" as const, file: "/home/me/.cursor/mcp.json" };
    expect(resolveLaunchVariables(cursor, { ...values, args: ["${workspaceFolder}"] }, {}).args).toEqual([
      "${workspaceFolder}",
    ]);
  });
});

describe("discover --project", () => {
  it("warns in one line about a folder that does not exist", async () => {
    const missing = join(scratch.path, "no-such-project");
    const result = await cliInProcess([
      "discover",
      "--home",
      home,
      "--project",
      missing,
      "--data-dir",
      dataDir,
    ]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(`warning: ${missing}: no such folder; no project configs were read from it\n`);
    expect(result.stdout).toContain("ws-fs");
  });
});
