/**
 * Entries a client has switched off (`"disabled": true` in Cline and Cursor, `enabled = false` in Codex)
 * are listed as such, and are neither probed nor alerted on: a `server-down` that fired while the entry
 * was on resolves once its client switches it off. `instrument` still wraps one, and says the client
 * will not launch it until it is enabled.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../electron/monitor/engine-types.js";
import type { AlertInstance } from "../../shared/alerts.js";
import type { DiscoveryResult } from "../../shared/discovery.js";
import type { Inventory, ServerDetail, ServerEntry } from "../../shared/servers.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { freePort } from "../helpers/http.js";
import { inventoryEngine } from "../helpers/inventory-engine.js";
import { SERVERS, waitFor } from "../helpers/mcp.js";

let engine: Engine;
let home: string;
let data: string;
let clineFile: string;
let cursorFile: string;
const clineText = (url: string, disabled: boolean) =>
  `${JSON.stringify({ mcpServers: { "remote-stream": { type: "streamableHttp", url, disabled } } }, null, 2)}\n`;

const fixture = inventoryEngine({
  prefix: "mcpscope-disabled-",
  prepare: async (paths) => {
    clineFile = join(
      paths.home,
      ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
    );
    cursorFile = join(paths.home, ".cursor", "mcp.json");
    const codexFile = join(paths.home, ".codex", "config.toml");
    for (const file of [clineFile, cursorFile, codexFile]) await mkdir(dirname(file), { recursive: true });
    // Nothing listens on these ports: every probe of them is refused.
    const [port1, port2] = [await freePort(), await freePort()];
    await writeFile(clineFile, clineText(`http://127.0.0.1:${port1}/mcp`, false));
    await writeFile(
      codexFile,
      `[mcp_servers.parked]\nurl = "http://127.0.0.1:${port2}/mcp"\nenabled = false\n`,
    );
    const off = { command: process.execPath, args: SERVERS.everything(), disabled: true };
    await writeFile(cursorFile, `${JSON.stringify({ mcpServers: { off } }, null, 2)}\n`);
  },
});

beforeAll(() => {
  ({ engine, home, data } = fixture);
});

const entry = async (name: string) =>
  ((await engine.invoke("servers.inventory", {})) as Inventory).servers.find(
    (s) => s.name === name,
  ) as ServerEntry;
const downAlerts = async () =>
  ((await engine.invoke("alerts.list", { status: "firing" })) as AlertInstance[])
    .filter((a) => a.rule === "server-down")
    .map((a) => a.labels.server);
const checks = async (name: string) =>
  ((await engine.invoke("servers.detail", { id: (await entry(name)).id })) as ServerDetail).health.length;

describe("an entry its client switched off", () => {
  it("is not probed, and a server-down that fired while it was on resolves once it is off", async () => {
    // On: probed, found down, alerted on.
    expect(await waitFor(async () => ((await downAlerts()).length ? await downAlerts() : undefined))).toEqual(
      ["remote-stream"],
    );
    // Codex's `parked` (enabled = false) was never probed, while Cline's was, many times.
    expect(await checks("parked")).toBe(0);
    expect(await entry("parked")).toMatchObject({ disabled: true, status: "unknown" });

    // The user switches it off in Cline.
    const url = /"url": "([^"]+)"/.exec(await readFile(clineFile, "utf8"))?.[1] ?? "";
    await writeFile(clineFile, clineText(url, true));
    await waitFor(async () => ((await entry("remote-stream")).disabled ? true : undefined));
    await waitFor(async () => ((await downAlerts()).length === 0 ? true : undefined));
    const off = await entry("remote-stream");
    expect(off).toMatchObject({ disabled: true, status: "unknown", health: { checkedAt: null } });
    expect(await checks("parked")).toBe(0);
  });

  it("is marked disabled by discover, in text and JSON", async () => {
    const text = await cliInProcess(["discover", "--home", home, "--data-dir", data]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^parked\s+codex \(disabled\)\s/m);
    expect(text.stdout).toMatch(/^off\s+cursor \(disabled\)\s/m);
    const json = await cliInProcess(["discover", "--home", home, "--data-dir", data, "--json"]);
    const servers = (JSON.parse(json.stdout) as DiscoveryResult).servers;
    expect(Object.fromEntries(servers.map((s) => [s.name, s.disabled]))).toEqual({
      "remote-stream": true,
      off: true,
      parked: true,
    });
  });

  it("is instrumented on request, with a note that the client launches it only once enabled", async () => {
    const cli = await cliInProcess([
      "instrument",
      "--client",
      "cursor",
      "--server",
      "off",
      "--home",
      home,
      "--data-dir",
      data,
    ]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(
      "off is disabled in cursor's config: cursor does not launch it until you enable it there",
    );
    expect(cli.stdout).not.toContain("restart cursor");
    expect(await readFile(cursorFile, "utf8")).toContain('"run"');
  });
});
