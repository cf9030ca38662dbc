/**
 * Requests refused for a wrong or missing token show as security events, rate-limited per source address,
 * and never with the token that was sent: someone guessing the token of an exposed `serve` is visible.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  AUTH_REFUSED_EVENT,
  authRefusals,
  REFUSALS_WINDOW_MS,
} from "../../electron/monitor/api/auth-refusals.js";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { EventRecord } from "../../shared/events.js";
import { tempDir, waitFor } from "../helpers/mcp.js";

const TOKEN = "right-token-0123456789abcdefghijklmnop";
const GUESS = "guessed-token-ZYXWVU9876543210";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe("refused tokens", () => {
  it("are security events, one per source per window with a count, without the token", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const engine = await createEngine({
      dataDir: dir.path,
      inventory: false,
      alerts: false,
      remoteProxies: false,
    });
    cleanups.push(() => engine.close());
    let clock = Date.now();
    const server = await startHttpServer({
      engine,
      host: "127.0.0.1",
      port: 0,
      token: TOKEN,
      staticRoot: dir.path,
      metrics: () => engine.metrics.prometheus(),
      refused: authRefusals(
        (event) => engine.track(event),
        () => clock,
      ),
    });
    cleanups.push(() => server.close());
    const base = `http://127.0.0.1:${server.port}`;
    const wrong = { authorization: `Bearer ${GUESS}` };
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/metrics`, { headers: wrong })).status).toBe(401);
    expect((await fetch(`${base}/api/events.list`, { method: "POST", headers: wrong })).status).toBe(401);
    expect((await fetch(`${base}/api/events.list`, { method: "POST" })).status).toBe(401);
    // The right token is not a refusal.
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
      200,
    );

    const refusals = async (count: number) =>
      waitFor(async () => {
        const found = (await engine.invoke("events.list", { type: AUTH_REFUSED_EVENT })) as EventRecord[];
        return found.length >= count ? found : undefined;
      });
    const [first] = await refusals(1);
    expect(first).toMatchObject({ category: "security", severity: "medium" });
    expect(first?.message).toBe("refused a request from 127.0.0.1 to /metrics: missing or wrong token");

    // A window later, the next refusal reports the four held back with it.
    clock += REFUSALS_WINDOW_MS;
    expect((await fetch(`${base}/api/events.list`, { method: "POST", headers: wrong })).status).toBe(401);
    const all = await refusals(2);
    expect(all).toHaveLength(2);
    expect(all.map((e) => e.message)).toContain(
      "refused 5 requests from 127.0.0.1 since the last report (latest to /api/events.list): missing or wrong token",
    );
    expect(JSON.stringify(all)).not.toContain(GUESS);
  });
});
