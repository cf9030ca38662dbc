/**
 * A browser tab that stops reading its events socket (a suspended tab, a stalled network, a peer that is
 * gone) is closed once it falls far behind, or leaves a heartbeat ping unanswered even on a quiet engine:
 * it must not keep counting as a front that shows desktop notifications (its engine would claim them and
 * the tab would never show them), nor miss events without knowing.
 */
import { afterEach, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import { tempDir, waitFor } from "../helpers/mcp.js";
import { pushingEngine } from "../helpers/pushing-engine.js";

const token = "s".repeat(40);
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

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

/** A server whose heartbeat beats only when the test says. */
async function heartbeatServer() {
  const dir = await tempDir();
  closers.push(() => dir.cleanup());
  const pushing = pushingEngine(dir.path);
  let beat = () => {};
  const server = await startHttpServer({
    engine: pushing.engine,
    host: "127.0.0.1",
    port: 0,
    token,
    staticRoot: dir.path,
    heartbeat: (b) => {
      beat = b;
      return () => {};
    },
  });
  closers.push(() => server.close());
  const connect = async (options: { autoPong?: boolean } = {}) => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}api/events?token=${token}`, options);
    closers.push(() => ws.terminate());
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    ws.send(JSON.stringify({ subscribe: "alerts.notify" }));
    return ws;
  };
  return { ...pushing, connect, beat: () => beat() };
}

it("closes a stalled page on a quiet engine at the second heartbeat it does not answer", async () => {
  const { push, count, connect, beat } = await heartbeatServer();
  const ws = await connect();
  await waitFor(() => count("alerts.notify") === 1);
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  // One small notification: far from any size limit, it would sit in the kernel's buffers for ever.
  push("alerts.notify", { status: "firing", title: "t", alertIds: ["a"] });
  beat();
  expect(count("alerts.notify")).toBe(1);
  beat();
  await waitFor(() => count("alerts.notify") === 0);
  (ws as unknown as { _socket: { resume(): void } })._socket.resume();
  await closed;
});

it("keeps a page that answers every heartbeat, and closes one that never answers", async () => {
  const { count, connect, beat, subscriptions } = await heartbeatServer();
  const live = await connect();
  const mute = await connect({ autoPong: false });
  await waitFor(() => count("alerts.notify") === 2);
  const muteClosed = new Promise<void>((resolve) => mute.once("close", () => resolve()));
  for (let round = 0; round < 3; round++) {
    const pinged = new Promise<void>((resolve) => live.once("ping", () => resolve()));
    beat();
    await pinged;
    // Its pong went out before these frames, so the server has it once it subscribed again.
    const before = subscriptions();
    live.send(JSON.stringify({ unsubscribe: "alerts.notify" }));
    live.send(JSON.stringify({ subscribe: "alerts.notify" }));
    await waitFor(() => subscriptions() > before);
  }
  await muteClosed;
  expect(count("alerts.notify")).toBe(1);
  expect(live.readyState).toBe(WebSocket.OPEN);
});
