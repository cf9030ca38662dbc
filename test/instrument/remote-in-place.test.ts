/**
 * An instrumented remote entry is in place while its URL is the proxy's URL recorded for it: right after
 * instrumenting (from the CLI and from the app), `instrumented` says so and the Servers view has no
 * "lost" warning; once the client writes the server's own URL back, both say it is lost.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import type { Inventory } from "../../shared/servers.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { ROOT, tempDir, waitFor } from "../helpers/mcp.js";

const UPSTREAM = "https://mcp.example.com/mcp";
const cursorText = (url: string) => `{
  // remote servers
  "mcpServers": {
    "rem": { "url": ${JSON.stringify(url)}, "headers": { "Authorization": "Bearer sk-live-abcdefghijklmnop" } },
  },
}
`;
const vscodeText = (url: string) =>
  `{\n\t"servers": {\n\t\t"web": { "type": "http", "url": ${JSON.stringify(url)} }\n\t}\n}\n`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
let home: string;
let data: string;
let cursorFile: string;

const inventory = async () => (await engine.invoke("servers.inventory", {})) as Inventory;
const lostWarnings = async () => (await inventory()).warnings.filter((w) => w.kind === "lost-wrapping");
const instrumented = async () => {
  const json = await cliInProcess(["instrumented", "--data-dir", data, "--json"]);
  expect(json.status, json.stderr).toBe(0);
  const text = await cliInProcess(["instrumented", "--data-dir", data]);
  return {
    entries: (JSON.parse(json.stdout) as { entries: Array<{ server: string; in_place: boolean }> }).entries,
    text: text.stdout,
  };
};

beforeAll(async () => {
  dir = await tempDir("mcpscope-remote-in-place-");
  home = join(dir.path, "home");
  data = join(dir.path, "data");
  cursorFile = join(home, ".cursor", "mcp.json");
  const vscodeFile = join(home, ".config", "Code", "User", "mcp.json");
  for (const file of [cursorFile, vscodeFile]) await mkdir(dirname(file), { recursive: true });
  await writeFile(cursorFile, cursorText(UPSTREAM));
  await writeFile(vscodeFile, vscodeText(`${UPSTREAM}?tenant=a`));
  engine = await createEngine({
    dataDir: data,
    alerts: false,
    inventory: { home, probeIntervalMs: 600_000, sampleIntervalMs: 600_000 },
    remoteProxies: { workerUrl: pathToFileURL(join(ROOT, "dist", "http-observer-worker.mjs")), checkMs: 50 },
  });
});

afterAll(async () => {
  await engine?.close();
  await dir?.cleanup();
});

describe("an instrumented remote entry", () => {
  it("is in place right after instrumenting it, from the CLI and from the app", async () => {
    const cli = await cliInProcess([
      "instrument",
      "--client",
      "cursor",
      "--server",
      "rem",
      "--home",
      home,
      "--data-dir",
      data,
    ]);
    expect(cli.status, cli.stderr).toBe(0);
    const web = (await inventory()).servers.find((s) => s.name === "web");
    const app = (await engine.invoke("servers.instrument", { id: web?.id ?? "" })) as { ok: boolean };
    expect(app.ok).toBe(true);

    // The Servers view shows both instrumented once the engine saw the CLI's edit.
    await waitFor(async () => {
      const servers = (await inventory()).servers;
      return ["rem", "web"].every((n) => servers.find((s) => s.name === n)?.instrumented) || undefined;
    });

    const { entries, text } = await instrumented();
    expect(entries.map((e) => [e.server, e.in_place])).toEqual([
      ["rem", true],
      ["web", true],
    ]);
    expect(text).not.toContain("lost");
    expect(text).toMatch(/^cursor\s+rem\s+user\s+yes\s/m);
    expect(text).toMatch(/^vscode\s+web\s+\w+\s+yes\s/m);

    // No "lost" banner, and nothing counted as a config that could not be read.
    expect(await lostWarnings()).toEqual([]);
    expect((await inventory()).warnings).toEqual([]);
  });

  it("is lost once the client writes the server's own URL back", async () => {
    const proxied = await readFile(cursorFile, "utf8");
    expect(proxied).not.toContain(UPSTREAM);
    await writeFile(cursorFile, cursorText(UPSTREAM));

    const { entries, text } = await instrumented();
    expect(entries.map((e) => [e.server, e.in_place])).toEqual([
      ["rem", false],
      ["web", true],
    ]);
    expect(text).toMatch(/^cursor\s+rem\s+user\s+no \(lost: instrument it again\)/m);

    const lost = await waitFor(async () => {
      const warnings = await lostWarnings();
      return warnings.length > 0 ? warnings : undefined;
    });
    expect(lost.map((w) => w.message)).toEqual([
      `mcpscope's wrapping: rem (cursor, ${cursorFile}) no longer points at mcpscope's proxy (the client may have rewritten its config); its calls are not recorded — run \`mcpscope instrument\` again`,
    ]);
    const rem = (await inventory()).servers.find((s) => s.name === "rem");
    expect(rem).toMatchObject({ instrumented: false, url: UPSTREAM });
  });
});
