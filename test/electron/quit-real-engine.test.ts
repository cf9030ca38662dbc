// Quitting the app for real: the shell's wiring over fake Electron parts, linked to the real engine host
// loop and a real engine that runs the real server-memory. The window is hidden the moment Quit is
// chosen, while the engine is still stopping the server; it closes, and the app exits, once the server is
// gone.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RENDERER_URL } from "../../electron/main/app-protocol.js";
import { serveEngine } from "../../electron/main/host-service.js";
import { createShell } from "../../electron/main/shell.js";
import { addManualServer } from "../../electron/monitor/discovery/manual-servers.js";
import { createEngine } from "../../electron/monitor/engine.js";
import { unwrapReply } from "../../electron/preload/ipc-reply.js";
import { IPC_INVOKE_CHANNEL } from "../../shared/api.js";
import type { Inventory } from "../../shared/servers.js";
import { SERVERS, tempDir, waitFor } from "../helpers/mcp.js";
import { type FakeWindow, fakeShellParts } from "./fake-shell.js";
import { linkedHost } from "./fakes.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
afterAll(async () => {
  await dir?.cleanup();
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("quitting with a server the app runs", () => {
  it("hides the window at once, and closes it once the engine has stopped the server", async () => {
    dir = await tempDir();
    const home = join(dir.path, "home");
    await mkdir(home, { recursive: true });
    const dataDir = join(dir.path, "data");
    const { id } = (
      await addManualServer(dataDir, {
        name: "memory",
        command: process.execPath,
        args: SERVERS.memory(),
      })
    ).definition;

    const fake = fakeShellParts({ rendererUrl: RENDERER_URL });
    const link = linkedHost();
    fake.parts.forkHost = () => link.main;
    serveEngine(link.port, {
      createEngine: () =>
        createEngine({
          dataDir,
          inventory: { home, probeIntervalMs: 60_000, sampleIntervalMs: 60_000 },
          alerts: false,
          metrics: { collector: false },
        }),
      exit: link.exit,
      log: () => {},
    });
    const shell = createShell(fake.parts);
    shell.ready();
    const win = fake.app.windows[0] as FakeWindow;
    win.paint();
    const relay = fake.ipcMain.handlers.get(IPC_INVOKE_CHANNEL);
    if (!relay) throw new Error("no invoke handler");
    const call = async (method: string, input: unknown) =>
      unwrapReply(
        await relay({ sender: win.webContents, senderFrame: { url: RENDERER_URL } }, method, input),
      );

    expect(await call("servers.start", { id })).toMatchObject({ ok: true });
    const pid = await waitFor(async () => {
      const inventory = (await call("servers.inventory", {})) as Inventory;
      const entry = inventory.servers.find((server) => server.id === id);
      return entry?.process?.state === "running" && entry.process.pid ? entry.process.pid : undefined;
    });
    expect(alive(pid)).toBe(true);

    fake.tray.choose("Quit mcpscope");
    expect([win.visible, win.destroyed, alive(pid)]).toEqual([false, false, true]);

    await waitFor(async () => (fake.app.quits === 1 ? true : undefined));
    expect([win.destroyed, alive(pid), link.exitCodes]).toEqual([true, false, [0]]);
  });
});
