/**
 * Instrumenting a remote entry: in each config format, only the URL's string changes (to the proxy the
 * engine runs on a port kept for the entry), `uninstrument` puts the file back byte for byte, and the
 * engine's proxy on that port relays to the original server and records its calls.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultDiscoveryContext } from "../../electron/monitor/discovery/context.js";
import { discoverServers } from "../../electron/monitor/discovery/discover.js";
import type { ConfigFormat } from "../../electron/monitor/discovery/types.js";
import { createEngine } from "../../electron/monitor/engine.js";
import { uninstrument } from "../../electron/monitor/instrument/instrument.js";
import { instrumentRemote } from "../../electron/monitor/instrument/instrument-remote.js";
import { readRemoteProxies } from "../../electron/monitor/proxy-http/remote-proxies.js";
import type { ClientId } from "../../shared/discovery.js";
import { startEverything, storedCalls } from "../helpers/http.js";
import { ROOT, tempDir, waitFor } from "../helpers/mcp.js";
import { server } from "./helpers.js";

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir("mcpscope-remote-");
});
afterEach(() => dir.cleanup());
const data = () => join(dir.path, "data");

interface Case {
  format: ConfigFormat;
  client: ClientId;
  file: string;
  path: Array<string | number>;
  text: (url: string) => string;
}

const UPSTREAM = "https://mcp.example.com/v1/mcp?tenant=a";

const CASES: Case[] = [
  {
    format: "jsonc",
    client: "claude-desktop",
    file: "claude_desktop_config.json",
    path: ["mcpServers", "remote"],
    text: (url) => `{
  // remote, with comments and trailing commas
  "mcpServers": {
    "remote": { "type": "http", "url": ${JSON.stringify(url)}, "headers": { "X-Team": "a" }, },
    "local": { "command": "npx", "args": ["x"] },
  },
}
`,
  },
  {
    format: "jsonc",
    client: "vscode",
    file: "mcp.json",
    path: ["servers", "remote"],
    text: (url) =>
      `{\r\n\t"servers": {\r\n\t\t"remote": {\r\n\t\t\t"type": "http",\r\n\t\t\t"url": ${JSON.stringify(url)}\r\n\t\t}\r\n\t}\r\n}\r\n`,
  },
  {
    format: "toml",
    client: "codex",
    file: "config.toml",
    path: ["mcp_servers", "remote"],
    text: (url) => `# codex
model = "o4"

[mcp_servers.remote]
url = '${url}' # a literal string
bearer_token_env_var = "TOKEN"

[mcp_servers.local]
command = "npx"
`,
  },
  {
    format: "yaml",
    client: "continue",
    file: "config.yaml",
    path: ["mcpServers", 0],
    text: (url) => `name: my assistant
mcpServers:
  - name: remote
    type: streamable-http
    url: ${url}   # plain scalar
  - name: local
    command: npx
`,
  },
];

describe("instrumenting a remote entry", () => {
  it.each(CASES)(
    "$client ($format): only the URL changes, the port is kept, undo is byte-exact",
    async (c) => {
      const file = join(dir.path, c.file);
      const original = c.text(UPSTREAM);
      await writeFile(file, original);
      const remote = server(c.client, "remote", file, c.format, c.path, "http");

      const first = await instrumentRemote(remote, { dataDir: data() });
      const port = (await readRemoteProxies(data()))[0]?.port;
      expect(first).toMatchObject({
        status: "instrumented",
        upstream: UPSTREAM,
        url: `http://127.0.0.1:${port}/v1/mcp?tenant=a`,
      });
      const changed = await readFile(file, "utf8");
      const start = original.indexOf(UPSTREAM) - 1; // the opening quote, or the plain scalar's first byte
      const quoted = /["']/.test(original[start] ?? "") ? start : start + 1;
      const end = quoted + (quoted === start ? UPSTREAM.length + 2 : UPSTREAM.length);
      expect(changed).toBe(original.slice(0, quoted) + JSON.stringify(first.url) + original.slice(end));
      expect((await instrumentRemote(remote, { dataDir: data() })).status).toBe("already-instrumented");

      expect((await uninstrument(remote, { dataDir: data() })).status).toBe("restored");
      expect(await readFile(file, "utf8")).toBe(original);
      expect(await readRemoteProxies(data())).toEqual([]);
    },
  );
});

describe("discovery of an instrumented remote entry", () => {
  it("shows it as the server it relays to, instrumented, when it knows the data dir", async () => {
    const home = join(dir.path, "home");
    const file = join(home, ".config", "Claude", "claude_desktop_config.json");
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, CASES[0]!.text(UPSTREAM));
    const remote = server("claude-desktop", "remote", file, "jsonc", ["mcpServers", "remote"], "http");
    const { url } = await instrumentRemote(remote, { dataDir: data() });
    const ctx = await defaultDiscoveryContext({ home });
    const find = async (options: { dataDir?: string }) =>
      (await discoverServers(ctx, { clients: ["claude-desktop"], ...options })).servers.find(
        (s) => s.definition.name === "remote",
      )?.definition;
    expect(await find({ dataDir: data() })).toMatchObject({ url: UPSTREAM, instrumented: true });
    expect(await find({})).toMatchObject({ url, instrumented: false });
  });
});

describe("the engine's proxy for an instrumented remote entry", () => {
  it("relays on the kept port to the original server and records the calls", async () => {
    const everything = await startEverything("streamableHttp");
    const engine = await createEngine({
      dataDir: data(),
      inventory: false,
      alerts: false,
      remoteProxies: {
        workerUrl: pathToFileURL(join(ROOT, "dist", "http-observer-worker.mjs")),
        checkMs: 50,
      },
    });
    try {
      const file = join(dir.path, "claude_desktop_config.json");
      await writeFile(file, CASES[0]!.text(everything.url));
      const remote = server(
        "claude-desktop",
        "remote-everything",
        file,
        "jsonc",
        ["mcpServers", "remote"],
        "http",
      );
      const { url } = await instrumentRemote(remote, { dataDir: data() });

      // The engine follows the registry: the proxy comes up on the entry's port.
      const client = new Client({ name: "remote-test", version: "1.0.0" });
      await waitFor(async () => {
        try {
          await client.connect(new StreamableHTTPClientTransport(new URL(url)));
          return true;
        } catch {
          return false;
        }
      });
      const result = await client.callTool({ name: "echo", arguments: { message: "via the engine" } });
      expect(result.content).toEqual([{ type: "text", text: "Echo: via the engine" }]);
      await client.close();
      const calls = await waitFor(() => {
        const stored = storedCalls(data(), "remote-everything");
        return stored.some((c) => c.target === "echo") ? stored : undefined;
      });
      expect(calls.map((c) => [c.method, c.target, c.outcome])).toEqual([
        ["initialize", null, "ok"],
        ["tools/call", "echo", "ok"],
      ]);

      // Undone: the proxy stops with its entry.
      await uninstrument(remote, { dataDir: data() });
      await waitFor(async () => {
        try {
          await fetch(url, { method: "POST", body: "{}" });
          return false;
        } catch {
          return true;
        }
      });
    } finally {
      await engine.close();
      await everything.stop();
    }
  });
});
