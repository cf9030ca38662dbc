/**
 * A client that rewrites its config right after mcpscope edited it: the engine's own rescan after the
 * edit and the config watcher must agree on what was last seen, or the rewrite (which looks like the
 * state before the edit) is taken for no change and never shows.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import type { Inventory } from "../../shared/servers.js";
import { tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
let cursorConfig: string;
const original = `{\n  "mcpServers": {\n    "remote": { "url": "http://127.0.0.1:9/mcp" }\n  }\n}\n`;

const inventory = async () => (await engine.invoke("servers.inventory", {})) as Inventory;

beforeAll(async () => {
  dir = await tempDir();
  const home = join(dir.path, "home");
  await mkdir(join(home, ".cursor"), { recursive: true });
  cursorConfig = join(home, ".cursor", "mcp.json");
  await writeFile(cursorConfig, original);
  engine = await createEngine({
    dataDir: join(dir.path, "data"),
    inventory: { home, probeIntervalMs: 60_000, sampleIntervalMs: 60_000 },
    remoteProxies: false,
  });
});

afterAll(async () => {
  await engine?.close();
  await dir.cleanup();
});

describe("a config rewritten right after mcpscope edited it", () => {
  it("shows the instrumented entry as lost, and as in place again when the proxy's URL is back", async () => {
    const { id } = (await inventory()).servers.find((s) => s.name === "remote") ?? { id: "" };
    await engine.invoke("servers.instrument", { id });
    const proxied = await readFile(cursorConfig, "utf8");
    expect(proxied).not.toBe(original);
    // At once, as a client that regenerates its file would: before the watcher's own quiet time is over.
    await writeFile(cursorConfig, original);
    const lost = await waitFor(async () => {
      const inv = await inventory();
      return inv.warnings.find((w) => w.kind === "lost-wrapping");
    });
    expect(lost.message).toContain("remote (cursor, ");
    expect(lost.message).toContain("no longer points at mcpscope's proxy");
    expect((await inventory()).servers.find((s) => s.name === "remote")?.instrumented).toBe(false);

    await writeFile(cursorConfig, proxied);
    await waitFor(async () => {
      const inv = await inventory();
      return inv.warnings.length === 0 && inv.servers.find((s) => s.name === "remote")?.instrumented;
    });
  });

  it("while the file is half-saved, says it cannot be read right now, not that the entry is gone", async () => {
    const proxied = await readFile(cursorConfig, "utf8");
    await writeFile(cursorConfig, proxied.slice(0, proxied.indexOf("}")));
    const unreadable = await waitFor(async () => {
      const inv = await inventory();
      return inv.warnings.find((w) => w.kind === "lost-wrapping");
    });
    expect(unreadable.message).toMatch(
      /^mcpscope's wrapping: remote \(cursor, .*\) cannot be checked: the file cannot be read right now \(line /,
    );
    expect(unreadable.message).not.toContain("no longer in the file");
    await writeFile(cursorConfig, proxied);
    await waitFor(async () => (await inventory()).warnings.length === 0);
  });
});
