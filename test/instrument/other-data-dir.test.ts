/**
 * An entry wrapped into another data dir records nothing into this one: instrument says where it records
 * and what to do, and discovery on this data dir does not call it instrumented.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configHandlers } from "../../electron/monitor/api/config-handlers.js";
import { defaultDiscoveryContext } from "../../electron/monitor/discovery/context.js";
import { discoverServers } from "../../electron/monitor/discovery/discover.js";
import { trafficKeyOf } from "../../electron/monitor/inventory/entry-traffic.js";
import { tempDir } from "../helpers/mcp.js";

let tmp: { path: string; cleanup: () => Promise<void> };
let home: string;
let config: string;
beforeAll(async () => {
  tmp = await tempDir("mcpscope-other-dir-");
  home = join(tmp.path, "home");
  await mkdir(join(home, ".lmstudio"), { recursive: true });
  config = join(home, ".lmstudio", "mcp.json");
  await writeFile(
    config,
    '{ "mcpServers": { "memory": { "command": "npx", "args": ["-y", "server-memory"] } } }\n',
  );
});
afterAll(() => tmp.cleanup());

const entry = {
  client: "lmstudio" as const,
  server: "memory",
  get home() {
    return home;
  },
};

async function instrumentedIn(dataDir: string): Promise<boolean | undefined> {
  const { servers } = await discoverServers(await defaultDiscoveryContext({ home }), {
    clients: ["lmstudio"],
    dataDir,
  });
  const memory = servers.find((s) => s.definition.name === "memory");
  // Its traffic is the other data dir's: none of this one's sessions count for it.
  if (memory) expect(trafficKeyOf(memory) === null).toBe(!memory.definition.instrumented);
  return memory?.definition.instrumented;
}

describe("an entry wrapped into another data dir", () => {
  it("instrument names the data dir it records into and the commands that move it; discovery here says not instrumented", async () => {
    const dirA = join(tmp.path, "dA");
    const dirB = join(tmp.path, "dB");
    expect((await configHandlers({ dataDir: dirA })["instrument.entry"](entry)).status).toBe("instrumented");
    const wrapped = await readFile(config, "utf8");

    await expect(configHandlers({ dataDir: dirB })["instrument.entry"](entry)).rejects.toThrow(
      `memory (lmstudio) is already launched through mcpscope run, but it records into ${dirA}, not ${dirB}; nothing was changed — uninstrument it there (\`mcpscope uninstrument --client lmstudio --server memory --data-dir ${dirA}\`) and instrument it again here`,
    );
    expect(await readFile(config, "utf8")).toBe(wrapped);
    expect(await instrumentedIn(dirA)).toBe(true);
    expect(await instrumentedIn(dirB)).toBe(false);
    expect((await configHandlers({ dataDir: dirA })["instrument.entry"](entry)).status).toBe(
      "already-instrumented",
    );
  });
});
