/**
 * A browser tab that stops reading its events socket (a suspended tab, a stalled network) is closed
 * once it falls 8 MiB behind: it must not keep counting as a front that shows desktop notifications
 * (its engine would claim them and the tab would never show them), nor miss events without knowing.
 */
import { afterEach, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { tempDir, waitFor } from "../helpers/mcp.js";

const token = "s".repeat(40);
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** An engine that only pushes events: the HTTP server's side of the socket is what is under test. */
function pushingEngine(dataDir: string) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const engine = {
    dataDir,
    call: async () => ({}),
    subscribe(event: string, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    onConnectionChange: () => () => {},
    close: async () => {},
  } as unknown as Engine;
  const push = (event: string, payload: unknown) => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  return { engine, push, count: (event: string) => listeners.get(event)?.size ?? 0 };
}

it("closes a page that stopped reading, so it no longer counts as a desktop front", async () => {
  const dir = await tempDir();
  closers.push(() => dir.cleanup());
  const { engine, push, count } = pushingEngine(dir.path);
  const server = await startHttpServer({ engine, host: "127.0.0.1", port: 0, token, staticRoot: dir.path });
  closers.push(() => server.close());

  const ws = new WebSocket(`${server.url.replace("http", "ws")}api/events?token=${token}`);
  closers.push(() => ws.terminate());
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  ws.send(JSON.stringify({ subscribe: "alerts.notify" }));
  await waitFor(() => count("alerts.notify") === 1);
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));

  // The tab stops reading: what the engine sends piles up in the kernel, then in the server's buffer.
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const line = { id: 1, message: "x".repeat(1024 * 1024) };
  for (let pushed = 0; pushed < 64 && count("alerts.notify") > 0; pushed++) {
    push("logs.new", [line]);
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(count("alerts.notify")).toBe(0);
  expect(count("logs.new")).toBe(0);
  (ws as unknown as { _socket: { resume(): void } })._socket.resume();
  await closed;
});
