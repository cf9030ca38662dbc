/**
 * A remote entry's URL can hold a password (`user:PW@`) and a key in its query: `instrument` (text and
 * --json), the app's Instrument message, the inventory's proxy URL and `mcpscope proxy`'s start line
 * show them masked, the way `discover` does.
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Inventory } from "../../shared/servers.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { MCPSCOPE, ROOT, tempDir } from "../helpers/mcp.js";

const PASSWORD = "pw5ecret";
const KEY = "sk-abcdefghijklmnopqrstuvwx";
const URL_WITH_SECRETS = `http://user:${PASSWORD}@127.0.0.1:9/mcp?api_key=${KEY}`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let home: string;
let config: string;

const expectMasked = (text: string) => {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(KEY);
  expect(text).toContain("[masked:");
};

beforeAll(async () => {
  dir = await tempDir();
  home = join(dir.path, "home");
  await mkdir(join(home, ".cursor"), { recursive: true });
  config = join(home, ".cursor", "mcp.json");
  const entries = Object.fromEntries(
    ["text", "json", "app"].map((name) => [name, { url: URL_WITH_SECRETS }]),
  );
  await writeFile(config, JSON.stringify({ mcpServers: entries }, null, 2));
});
afterAll(async () => {
  await dir?.cleanup();
});

describe("instrumenting a remote entry whose URL holds secrets", () => {
  const instrument = (server: string, ...extra: string[]) =>
    cliInProcess([
      "instrument",
      "--client",
      "cursor",
      "--server",
      server,
      "--home",
      home,
      "--data-dir",
      join(dir.path, "cli"),
      ...extra,
    ]);

  it("prints the old and new URL masked", async () => {
    const result = await instrument("text");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /was: http:\/\/user:\[masked:url-password\]@127\.0\.0\.1:9\/mcp\?api_key=\[masked:/,
    );
    expectMasked(result.stdout);
    const again = await instrument("text");
    expect(again.stdout).toContain("already goes through mcpscope's proxy");
    expectMasked(again.stdout);
  });

  it("prints them masked with --json, while the config holds the real key", async () => {
    const result = await instrument("json", "--json");
    expect(result.status, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ status: "instrumented", server: "json" });
    expectMasked(doc.upstream);
    expect(doc.url).not.toContain(KEY);
    const written = JSON.parse(await readFile(config, "utf8")).mcpServers.json.url as string;
    expect(written).toContain(`api_key=${KEY}`);
  });

  it("says in the app's message and inventory where the proxy is, masked", async () => {
    const engine = await createEngine({
      dataDir: join(dir.path, "engine"),
      inventory: { home, probeIntervalMs: 600_000, sampleIntervalMs: 600_000 },
      alerts: false,
      remoteProxies: {
        workerUrl: pathToFileURL(join(ROOT, "dist", "http-observer-worker.mjs")),
        checkMs: 50,
      },
    });
    try {
      const inventory = async () => (await engine.invoke("servers.inventory", {})) as Inventory;
      const app = (await inventory()).servers.find((s) => s.name === "app");
      const done = (await engine.invoke("servers.instrument", { id: app?.id ?? "" })) as { message: string };
      expect(done.message).toContain("now goes through mcpscope's proxy at http://127.0.0.1:");
      expect(done.message).not.toContain(KEY);
      const proxied = (await inventory()).servers.find((s) => s.name === "app");
      expect(proxied?.proxy?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp\?api_key=\[masked:/);
    } finally {
      await engine.close();
    }
  });
});

describe("mcpscope proxy", () => {
  it("prints its start line with the upstream's password and key masked", async () => {
    const proxy = spawn(
      process.execPath,
      [MCPSCOPE, "proxy", "--upstream", URL_WITH_SECRETS, "--data-dir", join(dir.path, "proxy")],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise((resolve) => proxy.once("exit", resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let text = "";
        proxy.stdout.on("data", (chunk: Buffer) => {
          text += chunk;
          if (text.includes("\n")) resolve(text.split("\n")[0] ?? "");
        });
        proxy.once("exit", (code) => reject(new Error(`mcpscope proxy exited (${code})`)));
      });
      expect(line).toMatch(
        /^mcpscope proxy: http:\/\/127\.0\.0\.1:\d+\/mcp\?api_key=\[masked:\S+ → http:\/\/user:/,
      );
      expectMasked(line);
    } finally {
      proxy.kill("SIGTERM");
      await exited;
    }
  });
});
