/**
 * End to end, as a user would: `mcpscope instrument` a Claude Desktop config found by discovery (in a
 * fixture home), launch the wrapped entry exactly as the client would with the real SDK client, call the
 * real server-everything's `echo`, see the call recorded, then `mcpscope uninstrument` and get the
 * original file back byte for byte.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unwrapEntry } from "../../electron/monitor/instrument/marker.js";
import { MCPSCOPE, mcpscope, mcpscopeJson, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";
import { entryFields, server } from "./helpers.js";

interface CallsJson {
  calls: Array<{
    server: string;
    method: string;
    target: string | null;
    outcome: string;
    request: string | null;
  }>;
}
interface InstrumentedJson {
  entries: Array<{
    client: string;
    server: string;
    file: string;
    instrumented_at: string;
    in_place: boolean;
  }>;
}

let tmp: { path: string; cleanup: () => Promise<void> };
let home: string;
let data: string;
let config: string;
let original: string;

beforeAll(async () => {
  tmp = await tempDir("mcpscope-instrument-e2e-");
  home = join(tmp.path, "home");
  data = join(tmp.path, "data");
  config = join(home, ".config", "Claude", "claude_desktop_config.json");
  await mkdir(join(home, ".config", "Claude"), { recursive: true });
  const everything = SERVERS.everything();
  original = `{
  // written by hand
  "mcpServers": {
    "everything": {
      "command": ${JSON.stringify(process.execPath)},
      "args": ${JSON.stringify(everything)},
      "env": { "EVERYTHING_NOTE": "kept" },
    },
    "remote": { "url": "https://mcp.example.com/sse" },
  },
}
`;
  await writeFile(config, original);
});
afterAll(() => tmp.cleanup());

describe("instrument end to end (CLI, discovery, real SDK client, real server)", () => {
  it("wraps the entry, records the client's real calls, and restores the file byte for byte", async () => {
    const common = ["--client", "claude-desktop", "--data-dir", data];
    const done = await mcpscopeJson<{ status: string; command: string; args: string[] }>([
      "instrument",
      ...common,
      "--home",
      home,
      "--server",
      "everything",
    ]);
    expect(done).toMatchObject({ status: "instrumented", command: process.execPath });
    expect(done.args.slice(0, 2)).toEqual([MCPSCOPE, "run"]);

    // Launch the entry exactly as the client would: its command, args and env.
    const wrapped = await readFile(config, "utf8");
    const entry = entryFields(
      wrapped,
      server("claude-desktop", "everything", config, "jsonc", ["mcpServers", "everything"]),
    );
    expect(unwrapEntry(entry.command, entry.args)).toMatchObject({
      client: "claude-desktop",
      name: "everything",
    });
    expect(entry.args).toContain(data); // the wrapper writes where this data dir is
    const transport = new StdioClientTransport({
      command: entry.command,
      args: entry.args,
      env: { ...getDefaultEnvironment(), ...entry.env },
      stderr: "pipe",
    });
    const client = new Client({ name: "claude-ai", version: "0.14.0" });
    await client.connect(transport);
    const result = await client.callTool({ name: "echo", arguments: { message: "hello through mcpscope" } });
    expect(JSON.stringify(result.content)).toContain("hello through mcpscope");
    await client.close();

    const calls = await waitFor(async () => {
      const { calls } = await mcpscopeJson<CallsJson>([
        "calls",
        "--data-dir",
        data,
        "--method",
        "tools/call",
      ]);
      return calls.length ? calls : undefined;
    });
    expect(calls[0]).toMatchObject({
      server: "everything",
      method: "tools/call",
      target: "echo",
      outcome: "ok",
    });
    expect(calls[0]?.request).toContain("hello through mcpscope");

    const listed = await mcpscopeJson<InstrumentedJson>(["instrumented", "--data-dir", data]);
    expect(listed.entries).toMatchObject([
      { client: "claude-desktop", server: "everything", file: config, in_place: true },
    ]);

    const { stdout } = await mcpscope(["uninstrument", ...common, "--server", "everything"]);
    expect(stdout).toMatch(
      /everything \(claude-desktop\) in .*: restored\nrestart claude-desktop to pick up the change/,
    );
    expect(await readFile(config, "utf8")).toBe(original);
    expect((await mcpscopeJson<InstrumentedJson>(["instrumented", "--data-dir", data])).entries).toEqual([]);
  });

  it("points a remote entry at mcpscope's proxy, says so plainly, and restores it byte for byte", async () => {
    const common = ["--client", "claude-desktop", "--server", "remote", "--data-dir", data];
    const { stdout } = await mcpscope(["instrument", ...common, "--home", home]);
    const port = /now: http:\/\/127\.0\.0\.1:(\d+)\/sse\n/.exec(stdout)?.[1];
    expect(port).toBeDefined();
    expect(stdout).toContain("was: https://mcp.example.com/sse");
    expect(stdout).toContain("reaches remote only while the app or `mcpscope serve` is running");
    expect(await readFile(config, "utf8")).toBe(
      original.replace('"https://mcp.example.com/sse"', `"http://127.0.0.1:${port}/sse"`),
    );
    const { stdout: restored } = await mcpscope(["uninstrument", ...common]);
    expect(restored).toMatch(/remote \(claude-desktop\) in .*: restored/);
    expect(await readFile(config, "utf8")).toBe(original);
  });
});
