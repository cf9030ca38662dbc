/**
 * The engine on an entry whose mcpscope is gone: the Servers view's entry and warnings say its client
 * cannot start it; one event says so, not one per scan nor per engine start; the app's Instrument action
 * (servers.instrument, the API the window uses) repairs it, and one event says it is back. An install
 * that goes while no config changes is noticed too; one that is there but is not this one is a notice.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultDiscoveryContext } from "../../electron/monitor/discovery/context.js";
import { discoverServers } from "../../electron/monitor/discovery/discover.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { instrument } from "../../electron/monitor/instrument/instrument.js";
import type { ActionResult, Inventory } from "../../shared/servers.js";
import { cliJsonInProcess } from "../helpers/cli-in-process.js";
import { MCPSCOPE, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let home: string;
let data: string;
let config: string;
let gone: string;

beforeAll(async () => {
  dir = await tempDir("mcpscope-launcher-events-");
  home = join(dir.path, "home");
  data = join(dir.path, "data");
  config = join(home, ".cursor", "mcp.json");
  await mkdir(join(home, ".cursor"), { recursive: true });
  await writeFile(config, `{ "mcpServers": { "echo": { "command": "node", "args": ["echo.js"] } } }\n`);
  // Wrapped by an install that has since been deleted.
  gone = join(dir.path, "deleted-install", "bin", "mcpscope.js");
  const { servers } = await discoverServers(await defaultDiscoveryContext({ home }), { clients: ["cursor"] });
  await instrument(servers[0]!, {
    dataDir: data,
    wrapperDataDir: data,
    launcher: { command: process.execPath, args: [gone], env: {} },
  });
});
afterAll(() => dir.cleanup());

const start = (launcherCheckMs?: number) =>
  createEngine({
    dataDir: data,
    inventory: { home, probeIntervalMs: 60_000, sampleIntervalMs: 60_000, launcherCheckMs },
    remoteProxies: false,
  });
const inventory = async (engine: Engine) => (await engine.invoke("servers.inventory", {})) as Inventory;
/** The stored events of a type (read with no engine running: each engine flushes its writes as it closes). */
const events = async (type: string) =>
  (
    await cliJsonInProcess<{ events: Array<{ type: string; message: string }> }>([
      "events",
      "--type",
      type,
      "--data-dir",
      data,
    ])
  ).events;

describe("an instrumented entry whose mcpscope is gone", () => {
  it("is shown and recorded once, and the app's Instrument repairs it", async () => {
    const first = await start();
    try {
      const inv = await inventory(first);
      expect(inv.servers.find((s) => s.name === "echo")?.launcherGone).toBe(gone);
      const warning = await waitFor(async () =>
        (await inventory(first)).warnings.find((w) => w.kind === "launcher-gone"),
      );
      expect(warning.message).toBe(
        `mcpscope's wrapping: echo (cursor, ${config}): its client cannot start it: the mcpscope it runs (${gone}) is gone — \`mcpscope instrument --repair --data-dir ${data}\` points it at this one`,
      );
    } finally {
      await first.close();
    }
    expect((await events("instrument.launcher_gone")).map((e) => e.message)).toEqual([
      `echo (cursor) in ${config}: its client cannot start it: the mcpscope it runs (${gone}) is gone — \`mcpscope instrument --repair --data-dir ${data}\` points it at this one`,
    ]);

    const second = await start();
    try {
      const { id } = (await inventory(second)).servers.find((s) => s.name === "echo") ?? { id: "" };
      const result = (await second.invoke("servers.instrument", { id })) as ActionResult;
      expect(result).toMatchObject({ ok: true });
      expect(result.message).toContain(`now runs this mcpscope (the one it ran, ${gone}, is gone)`);
      await waitFor(async () => {
        const inv = await inventory(second);
        return inv.servers.find((s) => s.name === "echo" && !s.launcherGone && s.instrumented) && inv;
      });
    } finally {
      await second.close();
    }
    const entry = JSON.parse(await readFile(config, "utf8")).mcpServers.echo;
    expect(entry.command).toBe(process.execPath);
    expect(entry.args[0]).toBe(MCPSCOPE);
    expect(entry.args.slice(-3)).toEqual(["--", "node", "echo.js"]);
    // Once per change: the second engine's start found it gone as the first had left it.
    expect(await events("instrument.launcher_gone")).toHaveLength(1);
    expect(await events("instrument.launcher_back")).toHaveLength(1);
    expect(await events("repair")).toHaveLength(1);
  });

  it("is noticed when the install goes while no config changes, and when it comes back", async () => {
    // The entry now runs this install's CLI; a copy of its script stands in for an install to delete.
    const copy = join(dir.path, "install", "bin", "mcpscope.js");
    await mkdir(join(dir.path, "install", "bin"), { recursive: true });
    await writeFile(copy, await readFile(MCPSCOPE));
    await writeFile(
      config,
      (await readFile(config, "utf8")).replace(JSON.stringify(MCPSCOPE), JSON.stringify(copy)),
    );
    const engine = await start(50);
    const gone = async (engine: Engine) =>
      (await inventory(engine)).servers.find((s) => s.name === "echo")?.launcherGone;
    try {
      await waitFor(async () =>
        (await inventory(engine)).servers.some((s) => s.name === "echo" && s.instrumented),
      );
      expect(await gone(engine)).toBeUndefined();
      // There, it is another install than this one: a notice, which names it.
      const inv = await waitFor(async () => {
        const now = await inventory(engine);
        return now.warnings.some((w) => w.kind === "launcher-other") && now;
      });
      expect(inv.servers.find((s) => s.name === "echo")?.launcherOther).toEqual({
        path: copy,
        version: null,
        older: false,
      });
      expect(inv.warnings.filter((w) => w.kind === "launcher-other").map((w) => w.message)).toEqual([
        `mcpscope's wrapping: echo (cursor, ${config}) runs another mcpscope: ${copy}; its calls are recorded here only while that one can use this data dir — \`mcpscope instrument --repair --data-dir ${data} --client cursor --server echo\` points it at this one`,
      ]);
      await rm(copy);
      expect(await waitFor(() => gone(engine))).toBe(copy);
      await waitFor(async () => (await inventory(engine)).warnings.some((w) => w.kind === "launcher-gone"));
      await writeFile(copy, await readFile(MCPSCOPE));
      await waitFor(async () => (await gone(engine)) === undefined);
    } finally {
      await engine.close();
    }
    expect(await events("instrument.launcher_gone")).toHaveLength(2);
    // Back, it runs that other install again: said as such, once per change.
    const others = await events("instrument.launcher_other");
    expect(others).toHaveLength(2);
    // Its command re-points that entry alone.
    for (const event of others)
      expect(event.message).toContain(
        `\`mcpscope instrument --repair --data-dir ${data} --client cursor --server echo\` points it at this one`,
      );
    expect(await events("instrument.launcher_back")).toHaveLength(1);
  });
});
