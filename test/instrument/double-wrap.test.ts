/**
 * A server already launched through `mcpscope run`, however the wrapping was written, is instrumented:
 * discovery says so, `mcpscope instrument` leaves it alone, and a wrapper started under another wrapper
 * relays without recording the calls a second time.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { unwrapEntry } from "../../electron/monitor/instrument/marker.js";
import type { Inventory } from "../../shared/servers.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { MCPSCOPE, SERVERS, tempDir } from "../helpers/mcp.js";

const FILES = ["npx", "-y", "@modelcontextprotocol/server-filesystem", "/home/me"];
const RUN = ["run", "--name", "files", "--", ...FILES];

/** Every way a user or an installer writes the wrapper into an entry. */
const FORMS: Record<string, { command: string; args: string[]; env?: Record<string, string> }> = {
  readme: { command: "mcpscope", args: RUN },
  npx: { command: "npx", args: ["mcpscope", ...RUN] },
  "npx -y, versioned": { command: "npx", args: ["-y", "mcpscope@0.1.0", ...RUN] },
  "node path": { command: "node", args: ["/opt/mcpscope/bin/mcpscope.js", ...RUN] },
  "app binary": {
    command: "/opt/mcpscope/mcpscope",
    args: ["/opt/mcpscope/resources/app.asar.unpacked/bin/mcpscope.js", ...RUN],
    env: { ELECTRON_RUN_AS_NODE: "1" },
  },
  "windows .cmd": { command: "C:\\Users\\me\\AppData\\Roaming\\npm\\mcpscope.cmd", args: RUN },
  "windows cmd /c npx": { command: "cmd", args: ["/c", "npx", "-y", "mcpscope", ...RUN] },
  "no --, flags first": {
    command: "mcpscope",
    args: [
      "run",
      "--name=files",
      "--timeout",
      "30s",
      "npx",
      "-y",
      "@modelcontextprotocol/server-filesystem",
      "/home/me",
    ],
  },
};

describe("unwrapEntry recognises a hand-written wrapper", () => {
  for (const [form, entry] of Object.entries(FORMS)) {
    it(form, () => {
      expect(unwrapEntry(entry.command, entry.args)).toEqual({
        command: "npx",
        args: FILES.slice(1),
        client: null,
        entry: null,
        name: "files",
      });
    });
  }

  it("but not a server that merely has `run` in its arguments", () => {
    expect(unwrapEntry("docker", ["run", "-i", "--rm", "mcp/filesystem", "--", "x"])).toBeNull();
    expect(unwrapEntry("uvx", ["mcpscope-server", "run", "--", "x"])).toBeNull();
    expect(unwrapEntry("mcpscope", ["run", "--name", "files"])).toBeNull();
  });
});

let tmp: { path: string; cleanup: () => Promise<void> };
let home: string;
let data: string;
let config: string;
let original: string;

beforeAll(async () => {
  tmp = await tempDir("mcpscope-double-wrap-");
  home = join(tmp.path, "home");
  data = join(tmp.path, "data");
  config = join(home, ".config", "Claude", "claude_desktop_config.json");
  await mkdir(join(home, ".config", "Claude"), { recursive: true });
  const mcpServers = Object.fromEntries(Object.entries(FORMS).map(([form, entry]) => [form, entry]));
  original = `${JSON.stringify({ mcpServers }, null, 2)}\n`;
  await writeFile(config, original);
});
afterAll(() => tmp.cleanup());

function cli(...args: string[]) {
  return cliInProcess([...args, "--data-dir", data]);
}

describe("a hand-wrapped entry in a client's config", () => {
  it("is listed as instrumented by discover (the Servers view's data too)", async () => {
    const run = await cli("discover", "--home", home, "--client", "claude-desktop", "--json");
    expect(run.status, run.stderr).toBe(0);
    const { servers } = JSON.parse(run.stdout) as { servers: Array<{ name: string; instrumented: boolean }> };
    expect(servers.map((s) => [s.name, s.instrumented])).toEqual(Object.keys(FORMS).map((f) => [f, true]));
    const table = await cli("discover", "--home", home, "--client", "claude-desktop");
    const readme = table.stdout.split("\n").find((line) => line.startsWith("readme "));
    expect(readme).toMatch(/ yes$/);
  });

  it("is instrumented and wrapped by hand in the engine's inventory, so the Servers view offers no Instrument nor Uninstrument", async () => {
    const engine = await createEngine({ dataDir: data, inventory: { home }, alerts: false });
    try {
      const { servers } = (await engine.invoke("servers.inventory", {})) as Inventory;
      const listed = servers.filter((s) => s.client === "claude-desktop");
      expect(listed.map((s) => [s.name, s.instrumented, s.wrappedByHand])).toEqual(
        Object.keys(FORMS).map((f) => [f, true, true]),
      );
    } finally {
      await engine.close();
    }
  });

  it("is left alone by instrument, which says so in one line (and in --json)", async () => {
    // The forms naming an install under /opt name one that is not there: their clients cannot start them,
    // which instrument says too (and exits 1), leaving them as they are all the same.
    const gone: Record<string, string> = {
      "node path": "/opt/mcpscope/bin/mcpscope.js",
      "app binary": "/opt/mcpscope/mcpscope",
    };
    for (const form of Object.keys(FORMS)) {
      const run = await cli("instrument", "--home", home, "--client", "claude-desktop", "--server", form);
      expect(run.status, run.stderr).toBe(gone[form] ? 1 : 0);
      expect(run.stdout).toBe(
        `${form} (claude-desktop) is already launched through mcpscope run (wrapped by hand); nothing changed\n`,
      );
      expect(run.stderr).toBe(
        gone[form]
          ? `mcpscope instrument: claude-desktop cannot start it: the mcpscope it runs (${gone[form]}) is gone — put a path that exists in its command by hand\n`
          : "",
      );
    }
    const json = await cli(
      "instrument",
      "--home",
      home,
      "--client",
      "claude-desktop",
      "--server",
      "readme",
      "--json",
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ status: "already-instrumented", command: "mcpscope" });
    expect(await readFile(config, "utf8")).toBe(original);
  });

  it("uninstrument says it was wrapped by hand, not that it is not instrumented", async () => {
    const run = await cli("uninstrument", "--home", home, "--client", "claude-desktop", "--server", "readme");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^mcpscope uninstrument: readme \(claude-desktop\) is not instrumented by mcpscope: .* by hand; remove the wrapper there by hand\n$/,
    );
  });
});

describe("a wrapper started under another wrapper", () => {
  it("relays byte for byte and records nothing: N requests are N calls in stats", async () => {
    const wrapper = (name: string) => [MCPSCOPE, "run", "--name", name, "--data-dir", data, "--"];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        ...wrapper("everything"),
        process.execPath,
        ...wrapper("everything"),
        process.execPath,
        ...SERVERS.everything(),
      ],
      env: { PATH: process.env.PATH ?? "" },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: "double-wrap-test", version: "1.0.0" });
    await client.connect(transport);
    const N = 6;
    for (let i = 0; i < N; i++) {
      const result = await client.callTool({ name: "echo", arguments: { message: `call ${i}` } });
      expect(JSON.stringify(result.content)).toContain(`call ${i}`);
    }
    await client.close();

    const stats = await cli("stats", "--since", "1h", "--json");
    expect(stats.status, stats.stderr).toBe(0);
    const doc = JSON.parse(stats.stdout) as {
      servers: Array<{
        server: string;
        operations: Array<{ method: string; target: string | null; calls: number }>;
      }>;
    };
    const echo = doc.servers
      .flatMap((s) => s.operations)
      .filter((op) => op.method === "tools/call" && op.target === "echo");
    expect(echo).toEqual([expect.objectContaining({ calls: N })]);
    const said = stderr.split("\n").filter((line) => line.includes("already wrapped by mcpscope run"));
    expect(said).toEqual([
      "mcpscope: everything is already wrapped by mcpscope run (everything), which records its calls; relaying without recording them twice",
    ]);
  });
});
