/**
 * One name in two entries that run another mcpscope (a local entry of Claude Code in each of two projects,
 * one file): the Servers row's Repair (`instrument.repair` by the row's inventory id) re-points that entry
 * alone, and the command `mcpscope instrumented` gives for each entry re-points that one alone.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configHandlers } from "../../electron/monitor/api/config-handlers.js";
import { inProcessTransport } from "../../electron/monitor/api/in-process.js";
import { defaultDiscoveryContext } from "../../electron/monitor/discovery/context.js";
import { discoverServers } from "../../electron/monitor/discovery/discover.js";
import { instrument } from "../../electron/monitor/instrument/instrument.js";
import { createApiClient } from "../../shared/api.js";
import { cliInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
let home: string;
let data: string;
let claudeJson: string;
let other: string;
let original: string;
const p1 = "/work/p1";
const p2 = "/work/p2";
const files = (tag: string) => ({ type: "stdio", command: "node", args: ["files.js", tag] });

beforeAll(async () => {
  tmp = await tempDir("mcpscope-repair-one-");
  home = join(tmp.path, "home");
  data = join(tmp.path, "data");
  claudeJson = join(home, ".claude.json");
  // Another mcpscope install, still there (a notice: it may be newer, or chosen).
  other = join(tmp.path, "other", "bin", "mcpscope.js");
  await mkdir(join(tmp.path, "other", "bin"), { recursive: true });
  await mkdir(home, { recursive: true });
  await writeFile(other, "");
  original = `${JSON.stringify(
    {
      projects: { [p1]: { mcpServers: { files: files("a") } }, [p2]: { mcpServers: { files: files("b") } } },
    },
    null,
    2,
  )}\n`;
});
afterAll(() => tmp.cleanup());

/** Both local entries wrapped through the other install; returns the entries as discovery finds them. */
async function wrappedByOther() {
  await writeFile(claudeJson, original);
  const found = async () =>
    (await discoverServers(await defaultDiscoveryContext({ home }), {})).servers.filter(
      (s) => s.definition.name === "files",
    );
  for (const server of await found())
    await instrument(server, {
      dataDir: data,
      launcher: { command: process.execPath, args: [other], env: {} },
    });
  const servers = await found();
  const of = (project: string) => servers.find((s) => s.location?.path[1] === project)!;
  return { first: of(p1), second: of(p2) };
}

/** The mcpscope script each project's entry runs. */
async function scripts(): Promise<Record<string, string | undefined>> {
  const parsed = JSON.parse(await readFile(claudeJson, "utf8"));
  return {
    [p1]: parsed.projects[p1].mcpServers.files.args[0],
    [p2]: parsed.projects[p2].mcpServers.files.args[0],
  };
}

async function undoAll() {
  await cliOkInProcess(["uninstrument", "--all", "--data-dir", data]);
  expect(await readFile(claudeJson, "utf8")).toBe(original);
}

describe("repairing one entry that runs another mcpscope", () => {
  it("by the row's id (what the Servers view sends): that entry alone", async () => {
    const { first } = await wrappedByOther();
    // Over the API as every front validates it; the id names no path, so no front asks consent for it.
    const api = createApiClient(inProcessTransport(configHandlers({ dataDir: data })));
    const { entries } = await api.call("instrument.repair", { id: first.definition.id });
    expect(entries.map((e) => [e.server, e.status, e.file])).toEqual([["files", "repaired", claudeJson]]);
    expect(await scripts()).toEqual({ [p1]: MCPSCOPE, [p2]: other });

    const unknown = api.call("instrument.repair", { id: "claude-code-000000000000" });
    await expect(unknown).rejects.toThrow(
      "no entry mcpscope instrumented has the id claude-code-000000000000 (`mcpscope instrumented` lists them); nothing was changed",
    );
    expect(await scripts()).toEqual({ [p1]: MCPSCOPE, [p2]: other });
    await undoAll();
  });

  it("by the command `instrumented` names for it: that entry alone", async () => {
    await wrappedByOther();
    const listed = await cliOkInProcess(["instrumented", "--data-dir", data]);
    const commands = [...listed.stdout.matchAll(/`(mcpscope instrument --repair [^`]*)`/g)].map((m) => m[1]);
    const pick = (project: string) =>
      `mcpscope instrument --repair --data-dir ${data} --client claude-code --server files --scope local --project ${project}`;
    expect(commands).toEqual([pick(p1), pick(p2)]);
    // `instrument` on one of them leaves it (that install may be chosen) and names the same command.
    const flags = ["--client", "claude-code", "--server", "files", "--scope", "local", "--project", p1];
    const again = await cliOkInProcess(["instrument", ...flags, "--home", home, "--data-dir", data]);
    expect(again.stdout).toContain(`\`${pick(p1)}\` points it at this one`);

    const run = await cliInProcess(pick(p2).split(" ").slice(1));
    expect(run.status, run.stderr).toBe(0);
    expect(await scripts()).toEqual({ [p1]: other, [p2]: MCPSCOPE });
    await undoAll();
  });
});
