/**
 * An events socket lives as long as the page keeps it: once the token it was opened with is replaced
 * (`serve --new-token`), it is closed at the next frame or, on a quiet engine, at the next heartbeat, so a
 * page or script holding a leaked token stops receiving calls and logs.
 */
import { afterEach, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import { tempDir, waitFor } from "../helpers/mcp.js";
import { pushingEngine } from "../helpers/pushing-engine.js";

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

it("closes a socket whose token was replaced at the next heartbeat, with nothing pushed meanwhile", async () => {
  const dir = await tempDir();
  closers.push(() => dir.cleanup());
  const { engine, count } = pushingEngine(dir.path);
  let token = "a".repeat(40);
  let beat = () => {};
  const server = await startHttpServer({
    engine,
    host: "127.0.0.1",
    port: 0,
    token: () => token,
    staticRoot: dir.path,
    heartbeat: (b) => {
      beat = b;
      return () => {};
    },
  });
  closers.push(() => server.close());
  const ws = new WebSocket(`${server.url.replace("http", "ws")}api/events?token=${token}`);
  closers.push(() => ws.terminate());
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  await waitFor(() => count("logs.new") === 1);
  // A socket whose token still holds is pinged at a beat; one whose token was replaced is closed instead.
  const fate = new Promise<string>((resolve) => {
    ws.once("ping", () => resolve("pinged"));
    ws.once("close", () => resolve("closed"));
  });
  token = "b".repeat(40);
  beat();
  expect(await fate).toBe("closed");
  await waitFor(() => count("logs.new") === 0);
});
