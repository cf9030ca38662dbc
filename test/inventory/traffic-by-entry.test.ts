/**
 * One client often has several entries under one name: VS Code's default profile and another profile,
 * Claude Code's user entry and a local (project) one. `mcpscope instrument` writes each entry's own id
 * into its wrapper (`run --entry`), each session stores it, and each entry counts only its own sessions,
 * in the inventory and in its recent calls. Sessions without it (a wrapping written before it existed)
 * still count by their client, as before; uninstrument puts each file back byte for byte.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonc } from "../../electron/monitor/discovery/config-text.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { remoteProxiesPath } from "../../electron/monitor/proxy-http/remote-proxies.js";
import type { CallDetail } from "../../shared/domain.js";
import type { Inventory, ServerDetail, ServerEntry } from "../../shared/servers.js";
import { type Child, startEverything } from "../helpers/http.js";
import { MCPSCOPE, ROOT, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
let home: string;
let data: string;
let remote: Child & { url: string };
const stdio = { command: process.execPath, args: SERVERS.everything() };
const originals = new Map<string, string>();
const files = () => ({
  default: join(home, ".config", "Code", "User", "mcp.json"),
  profile: join(home, ".config", "Code", "User", "profiles", "5a1b2c3d", "mcp.json"),
  claude: join(home, ".claude.json"),
});

beforeAll(async () => {
  dir = await tempDir("mcpscope-traffic-by-entry-");
  home = join(dir.path, "home");
  data = join(dir.path, "data");
  remote = await startEverything("streamableHttp");
  const f = files();
  const entry = JSON.stringify(stdio);
  const http = JSON.stringify({ type: "http", url: remote.url });
  // Written as people write them (comments, their own spacing): undo must give back these bytes.
  originals.set(
    f.default,
    `{\n  // default profile\n  "servers": {\n    "everything": ${entry},\n    "remote": ${http}\n  }\n}\n`,
  );
  originals.set(f.profile, `{ "servers": { "everything": ${entry}, "remote": ${http} } }\n`);
  originals.set(
    f.claude,
    `{\n  "mcpServers": { "everything": ${entry} },\n  "projects": {\n    "/work/app": { "mcpServers": { "everything": ${entry} } }\n  }\n}\n`,
  );
  for (const [file, text] of originals) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  engine = await createEngine({
    dataDir: data,
    alerts: false,
    inventory: { home, probeIntervalMs: 600_000, sampleIntervalMs: 600_000 },
    remoteProxies: { workerUrl: pathToFileURL(join(ROOT, "dist", "http-observer-worker.mjs")), checkMs: 50 },
  });
});

afterAll(async () => {
  await engine?.close();
  await remote?.stop();
  await dir?.cleanup();
});

const servers = async () => ((await engine.invoke("servers.inventory", {})) as Inventory).servers;
const entryIn = async (file: string, scope?: string, name = "everything") =>
  (await servers()).find(
    (s) => s.file === file && s.name === name && (!scope || s.scope === scope),
  ) as ServerEntry;
const detail = async (id: string) => (await engine.invoke("servers.detail", { id })) as ServerDetail;
const sessionsIn = (d: ServerDetail) => new Set(d.calls.map((c) => c.sessionId));

/** Launches what the entry's config says, as its client would, calls a tool, and gives the session's id. */
async function callThrough(command: string, args: string[], name: string): Promise<string> {
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({ command, args, env: process.env as never, stderr: "pipe" }),
  );
  try {
    await client.callTool({ name: "echo", arguments: { message: `from ${name}` } });
  } finally {
    await client.close();
  }
  return waitFor(async () => {
    const calls = (await engine.invoke("calls.details", {
      server: "everything",
      limit: 200,
    })) as CallDetail[];
    return calls.find((c) => c.clientName === name && c.target === "echo")?.sessionId;
  });
}

/** The `everything` entry of a VS Code mcp.json as it is now. */
async function vscodeEntry(file: string): Promise<{ command: string; args: string[] }> {
  const config = parseJsonc(await readFile(file, "utf8")) as {
    servers: Record<string, { command: string; args: string[] }>;
  };
  const e = config.servers.everything;
  if (!e) throw new Error(`no everything in ${file}`);
  return e;
}

async function callAsEntry(file: string, name: string): Promise<string> {
  const e = await vscodeEntry(file);
  return callThrough(e.command, e.args, name);
}

const lastCallOf = (d: ServerDetail) => Math.max(...d.calls.map((c) => Date.parse(c.startedAt)));

describe("traffic of one client's entries under one name", () => {
  let defaultId: string;
  let profileId: string;
  let first: string;

  it("instrument marks each entry with its own id", async () => {
    const f = files();
    defaultId = (await entryIn(f.default)).id;
    profileId = (await entryIn(f.profile)).id;
    expect(defaultId).not.toBe(profileId);
    for (const id of [defaultId, profileId]) {
      expect(await engine.invoke("servers.instrument", { id })).toMatchObject({ ok: true });
    }
    for (const [file, id] of [
      [f.default, defaultId],
      [f.profile, profileId],
    ] as const) {
      const { args } = await vscodeEntry(file);
      expect(args.slice(args.indexOf("--entry"), args.indexOf("--entry") + 2)).toEqual(["--entry", id]);
      // No path of the user's in the marker: the id is a hash.
      expect(id).toMatch(/^vscode-[0-9a-f]{12}$/);
    }
  });

  it("counts a session for the entry that launched it only", async () => {
    first = await callAsEntry(files().default, "default-profile");
    const active = await waitFor(async () => {
      const e = await entryIn(files().default);
      return e.status === "active" ? e : undefined;
    });
    expect(active.traffic.recentAnswered).toBeGreaterThanOrEqual(1);
    expect(sessionsIn(await detail(defaultId))).toEqual(new Set([first]));
    // The other profile's entry of the same client and name launched nothing.
    expect((await entryIn(files().profile)).traffic).toMatchObject({ lastCallAt: null, recentAnswered: 0 });
    expect((await detail(profileId)).calls).toEqual([]);
  });

  it("keeps each entry's calls apart once both record", async () => {
    const second = await callAsEntry(files().profile, "other-profile");
    await waitFor(async () => ((await entryIn(files().profile)).status === "active" ? true : undefined));
    const [own, other] = [await detail(defaultId), await detail(profileId)];
    expect(sessionsIn(own)).toEqual(new Set([first]));
    expect(sessionsIn(other)).toEqual(new Set([second]));
    expect(Date.parse((await entryIn(files().default)).traffic.lastCallAt ?? "")).toBe(lastCallOf(own));
    expect(Date.parse((await entryIn(files().profile)).traffic.lastCallAt ?? "")).toBe(lastCallOf(other));
  });

  it("counts a session without the entry marker by its client, for both entries, as before", async () => {
    // What an entry instrumented by an earlier mcpscope launches: `--client` alone.
    const legacy = await callThrough(
      process.execPath,
      [
        MCPSCOPE,
        "run",
        "--name",
        "everything",
        "--client",
        "vscode",
        "--data-dir",
        data,
        "--",
        ...[stdio.command, ...stdio.args],
      ],
      "legacy",
    );
    for (const id of [defaultId, profileId]) {
      await waitFor(async () => (sessionsIn(await detail(id)).has(legacy) ? true : undefined));
    }
    expect(sessionsIn(await detail(defaultId)).size).toBe(2);
    expect(sessionsIn(await detail(profileId)).size).toBe(2);
  });

  it("uninstrument puts both files back byte for byte", async () => {
    for (const id of [defaultId, profileId]) {
      expect(await engine.invoke("servers.uninstrument", { id })).toMatchObject({ ok: true });
    }
    for (const file of [files().default, files().profile])
      expect(await readFile(file, "utf8")).toBe(originals.get(file));
  });
});

describe("Claude Code's user and local entries of one name", () => {
  it("are marked apart, and restored byte for byte", async () => {
    const file = files().claude;
    const user = await entryIn(file, "user");
    const local = await entryIn(file, "local");
    expect(user.id).not.toBe(local.id);
    for (const e of [user, local])
      expect(await engine.invoke("servers.instrument", { id: e.id })).toMatchObject({ ok: true });
    const config = JSON.parse(await readFile(file, "utf8"));
    const userArgs = config.mcpServers.everything.args as string[];
    const localArgs = config.projects["/work/app"].mcpServers.everything.args as string[];
    expect(userArgs[userArgs.indexOf("--entry") + 1]).toBe(user.id);
    expect(localArgs[localArgs.indexOf("--entry") + 1]).toBe(local.id);

    const session = await callThrough(
      config.projects["/work/app"].mcpServers.everything.command,
      localArgs,
      "claude-local",
    );
    await waitFor(async () => ((await entryIn(file, "local")).status === "active" ? true : undefined));
    expect(sessionsIn(await detail(local.id))).toEqual(new Set([session]));
    expect((await entryIn(file, "user")).traffic.lastCallAt).toBeNull();
    expect((await detail(user.id)).calls).toEqual([]);

    for (const e of [user, local])
      expect(await engine.invoke("servers.uninstrument", { id: e.id })).toMatchObject({ ok: true });
    expect(await readFile(file, "utf8")).toBe(originals.get(file));
  });
});

/** Connects to a proxy (which may be starting or restarting), calls a tool, and gives the session's id. */
async function callOverHttp(url: string, name: string): Promise<string> {
  const client = new Client({ name, version: "1.0.0" });
  await waitFor(async () => {
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      return true;
    } catch {
      return false;
    }
  });
  await client.callTool({ name: "echo", arguments: { message: `from ${name}` } });
  await client.close();
  return waitFor(async () => {
    const calls = (await engine.invoke("calls.details", { server: "remote", limit: 200 })) as CallDetail[];
    return calls.find((c) => c.clientName === name && c.target === "echo")?.sessionId;
  });
}

const proxiedUrlIn = async (file: string) =>
  (parseJsonc(await readFile(file, "utf8")) as { servers: { remote: { url: string } } }).servers.remote.url;

describe("remote entries of one client and name, each through the engine's proxy", () => {
  it("count the calls through their own proxy only", async () => {
    const f = files();
    const [one, two] = [
      await entryIn(f.default, undefined, "remote"),
      await entryIn(f.profile, undefined, "remote"),
    ];
    for (const e of [one, two])
      expect(await engine.invoke("servers.instrument", { id: e.id })).toMatchObject({ ok: true });
    const url = await waitFor(async () => {
      const config = parseJsonc(await readFile(f.default, "utf8")) as {
        servers: { remote: { url: string } };
      };
      return config.servers.remote.url !== remote.url ? config.servers.remote.url : undefined;
    });
    await callOverHttp(url, "default-profile-remote");
    await waitFor(async () =>
      (await entryIn(f.default, undefined, "remote")).traffic.recentAnswered > 0 ? true : undefined,
    );
    expect((await entryIn(f.profile, undefined, "remote")).traffic).toEqual({
      lastCallAt: null,
      recentAnswered: 0,
    });
    expect((await detail(two.id)).calls).toEqual([]);
    expect((await detail(one.id)).calls.length).toBeGreaterThan(0);

    for (const e of [one, two])
      expect(await engine.invoke("servers.uninstrument", { id: e.id })).toMatchObject({ ok: true });
    for (const file of [f.default, f.profile]) expect(await readFile(file, "utf8")).toBe(originals.get(file));
  });

  it("a proxy an earlier mcpscope set up gets its entry's id from instrument", async () => {
    const f = files();
    const [one, two] = [
      await entryIn(f.default, undefined, "remote"),
      await entryIn(f.profile, undefined, "remote"),
    ];
    for (const e of [one, two]) await engine.invoke("servers.instrument", { id: e.id });
    // One proxy as an earlier mcpscope registered it: no entry id.
    const registry = JSON.parse(await readFile(remoteProxiesPath(data), "utf8"));
    delete registry.entries.find((e: { server: string; file: string }) => e.file === f.default).entry;
    await writeFile(remoteProxiesPath(data), JSON.stringify(registry, null, 2));
    // Instrument on the other, already proxied, has the engine follow the registry before it answers.
    expect(await engine.invoke("servers.instrument", { id: two.id })).toMatchObject({
      message: "remote was already instrumented",
    });
    const shared = await callOverHttp(await proxiedUrlIn(f.default), "before-marking");
    // Without an id, its session counts by its client, for both entries, as before.
    await waitFor(async () => (sessionsIn(await detail(two.id)).has(shared) ? true : undefined));
    expect(sessionsIn(await detail(one.id)).has(shared)).toBe(true);

    expect(await engine.invoke("servers.instrument", { id: one.id })).toMatchObject({
      ok: true,
      message: expect.stringMatching(
        /proxied by an earlier mcpscope; its calls now count for this entry only/,
      ),
    });
    const own = await callOverHttp(await proxiedUrlIn(f.default), "after-marking");
    await waitFor(async () => (sessionsIn(await detail(one.id)).has(own) ? true : undefined));
    expect(sessionsIn(await detail(two.id)).has(own)).toBe(false);
    for (const e of [one, two]) await engine.invoke("servers.uninstrument", { id: e.id });
    for (const file of [f.default, f.profile]) expect(await readFile(file, "utf8")).toBe(originals.get(file));
  });
});
