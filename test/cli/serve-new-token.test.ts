/**
 * `serve --new-token` revokes a token that leaked: the next start prints a new one, the old one is refused
 * by the API (also by a serve still running on the data dir, whose events sockets opened with it are cut),
 * and starts without the flag keep the new one; a start that fails to listen leaves the token as it was.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebSocket } from "ws";
import { tempDir, waitFor } from "../helpers/mcp.js";
import { apiCall, type Serve, startServe } from "../ui/browser.js";

let data: Awaited<ReturnType<typeof tempDir>>;
/**
 * The serve still running on the data dir through every test: each start with --new-token changes the
 * token it takes; the one it takes now is in serve-token (read by `current`).
 */
let running: Serve;
beforeAll(async () => {
  data = await tempDir("mcpscope-newtoken-");
  running = await startServe(data.path);
});
afterAll(async () => {
  await running?.stop();
  await data.cleanup();
});

const tokenOf = (serve: Serve) => new URL(serve.url).hash.replace("#token=", "");
/** `serve` called with `token` in place of the one it printed. */
const withToken = (serve: Serve, token: string): Serve => ({
  ...serve,
  url: `${serve.origin}/#token=${token}`,
});
const tokenFile = () => join(data.path, "serve-token");
/** The token the data dir's serves take now. */
const current = () => readFileSync(tokenFile(), "utf8").trim();

async function withServe<T>(flags: string[], use: (serve: Serve) => Promise<T>): Promise<T> {
  const serve = await startServe(data.path, process.env, "127.0.0.1:0", flags);
  try {
    return await use(serve);
  } finally {
    await serve.stop();
  }
}

it("replaces the token, refuses the old one, and keeps the new one at the next start", async () => {
  // The token the running serve printed at its start.
  const old = tokenOf(running);
  expect(current()).toBe(old);
  const renewed = await withServe(["--new-token"], async (serve) => {
    const token = tokenOf(serve);
    expect(token).not.toBe(old);
    await expect(apiCall(withToken(serve, old), "system.info")).rejects.toThrow(/401|token/);
    await expect(apiCall(serve, "system.info")).resolves.toBeTruthy();
    return token;
  });
  await withServe([], async (serve) => expect(tokenOf(serve)).toBe(renewed));
}, 60_000);

it("revokes the old token in a serve still running, and a start that cannot listen changes nothing", async () => {
  const old = current();
  // The same port: this start fails, so the file and the running serve keep the token they had.
  await expect(
    startServe(data.path, process.env, new URL(running.origin).host, ["--new-token"]),
  ).rejects.toThrow(/in use/);
  expect(current()).toBe(old);
  await expect(apiCall(withToken(running, old), "system.info")).resolves.toBeTruthy();
  // Another port: the new token is written, and the serve that was running takes it in place of the old.
  const renewed = await withServe(["--new-token"], async (serve) => tokenOf(serve));
  expect(current()).toBe(renewed);
  await expect(apiCall(withToken(running, old), "system.info")).rejects.toThrow(/401|token/);
  await expect(apiCall(withToken(running, renewed), "system.info")).resolves.toBeTruthy();
}, 60_000);

/** The events socket of `serve`, opened with `token`, once it is open. */
async function openEvents(serve: Serve, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`${serve.origin.replace("http", "ws")}/api/events?token=${token}`, {
    origin: serve.origin,
  });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  return ws;
}

it("cuts an events socket a running serve opened with the old token, before its next frame", async () => {
  const held = await openEvents(running, current());
  // Listened to from its opening: the running serve may cut it at a heartbeat (every 15 s) before the
  // change below, which on a loaded machine comes that late; a listener added then would wait forever.
  const heldFrames: string[] = [];
  held.on("message", (data) => heldFrames.push(String(data)));
  const heldClosed = new Promise<void>((resolve) => held.once("close", () => resolve()));
  const renewed = await withServe(["--new-token"], async (serve) => tokenOf(serve));
  const fresh = await openEvents(running, renewed);
  try {
    const changed = (frame: string) => (JSON.parse(frame) as { event: string }).event === "alerts.changed";
    const pushed = new Promise<void>((resolve) =>
      fresh.on("message", (data) => changed(String(data)) && resolve()),
    );
    // A change every socket is told about: the one opened with the new token gets it, the old one none.
    await apiCall(withToken(running, renewed), "alerts.pause", { duration: "1h" });
    await pushed;
    await heldClosed;
    expect(heldFrames.filter(changed)).toEqual([]);
  } finally {
    held.terminate();
    fresh.terminate();
  }
}, 60_000);

it("says on its stderr why it refuses every request once serve-token is gone", async () => {
  const old = current();
  rmSync(tokenFile());
  await expect(apiCall(withToken(running, old), "system.info")).rejects.toThrow(/401|token/);
  await waitFor(() => running.output().includes("serve-token was removed: every request is refused"));
  // Written anew (a start with --new-token elsewhere): taken, and the new URL works.
  const renewed = await withServe(["--new-token"], async (serve) => tokenOf(serve));
  await expect(apiCall(withToken(running, renewed), "system.info")).resolves.toBeTruthy();
}, 60_000);
