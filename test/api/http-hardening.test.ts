/**
 * Browser mode's HTTP API against requests a browser or an attacker can make: a foreign Origin is
 * refused even with the token, an oversized body gets 413 and a malformed path 400 (an answer, never a
 * reset), and `serve --listen 0.0.0.0:PORT` answers on the machine's own address with the token only.
 */
import { request } from "node:http";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { tempDir } from "../helpers/mcp.js";
import { startServe } from "../ui/browser.js";

interface Answer {
  status: number;
  body: string;
}

/** One HTTP request with exactly these headers (fetch would not let a test set Host or Origin). */
function send(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    chunked?: boolean;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? "POST", headers: options.headers });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    if (options.chunked && options.body) {
      // Without a Content-Length: the size is only known while reading.
      const body = Buffer.from(options.body);
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else req.end(options.body);
  });
}

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
let server: Awaited<ReturnType<typeof startHttpServer>>;
const token = "h".repeat(40);
const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
beforeAll(async () => {
  dir = await tempDir();
  engine = await createEngine({ dataDir: dir.path, pollIntervalMs: 50, inventory: { home: dir.path } });
  server = await startHttpServer({ engine, host: "127.0.0.1", port: 0, token, staticRoot: dir.path });
});
afterAll(async () => {
  await server.close();
  await engine.close();
  await dir.cleanup();
});

describe("browser mode refuses what a hostile page or client sends", () => {
  it("refuses a foreign Origin with 403 even with a valid token; its own origin is fine", async () => {
    const api = `${server.url}api/system.info`;
    for (const origin of [
      "http://evil.example",
      "null",
      `https://127.0.0.1:${server.port}`,
      "http://127.0.0.1:1",
    ]) {
      const answer = await send(api, { headers: { ...auth, origin }, body: "{}" });
      expect([origin, answer.status, JSON.parse(answer.body).error.kind]).toEqual([origin, 403, "origin"]);
    }
    const page = await send(server.url, { method: "GET", headers: { origin: "http://evil.example" } });
    expect(page.status).toBe(403);
    const own = await send(api, {
      headers: { ...auth, origin: `http://127.0.0.1:${server.port}` },
      body: "{}",
    });
    expect(own.status).toBe(200);
    expect((await send(api, { headers: auth, body: "{}" })).status).toBe(200);
  });

  it("answers 413 to a body over 1 MiB, declared or streamed, and keeps serving", async () => {
    const big = JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) });
    const declared = await send(`${server.url}api/system.info`, { headers: auth, body: big });
    expect([declared.status, JSON.parse(declared.body).error.message]).toEqual([
      413,
      "request body is over 1 MiB",
    ]);
    const streamed = await send(`${server.url}api/system.info`, { headers: auth, body: big, chunked: true });
    expect(streamed.status).toBe(413);
    expect((await send(`${server.url}api/system.info`, { headers: auth, body: "{}" })).status).toBe(200);
  });

  it("answers 400 to a malformed path instead of a 500 or a reset", async () => {
    const api = await send(`${server.url}api/%E0%A4%A`, { headers: auth, body: "{}" });
    expect([api.status, JSON.parse(api.body).error.kind]).toEqual([400, "path"]);
    expect((await send(`${server.url}%zz`, { method: "GET" })).status).toBe(400);
  });

  it("refuses an over-long silence with 400 and stores nothing", async () => {
    const answer = await send(`${server.url}api/alerts.silence`, {
      headers: auth,
      body: JSON.stringify({ matchers: [{ name: "a", op: "=", value: "b" }], duration: "100000000d" }),
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.message).toMatch(/too long; the most is 3650d/);
    expect(await engine.invoke("alerts.silences", { includeExpired: true })).toEqual([]);
  });
});

const ownAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === "IPv4")?.address;
if (!ownAddress)
  console.warn(
    "\n*** SKIPPED serve --listen 0.0.0.0: this machine has no non-loopback IPv4 address, so exposing the UI to the network is NOT tested here. ***\n",
  );

describe.skipIf(!ownAddress)("serve --listen 0.0.0.0:PORT", () => {
  it("answers on the machine's own address with the token, refuses without it, and says it is exposed", async () => {
    const data = await tempDir();
    const serve = await startServe(data.path, process.env, "0.0.0.0:0");
    try {
      const url = new URL(serve.url);
      const token = url.hash.replace("#token=", "");
      const remote = `http://${ownAddress}:${url.port}/`;
      await expect
        .poll(() => serve.output())
        .toMatch(/the UI is exposed to the network at .* over plain HTTP; every request needs the token/);
      // One line, that says the token crosses the network readable and how to replace it.
      const line =
        serve
          .output()
          .split("\n")
          .find((l) => l.includes("exposed to the network")) ?? "";
      expect(line).toMatch(/SSH tunnel or a TLS proxy.*--new-token/);
      expect(serve.output()).toContain(remote);
      const withToken = await send(`${remote}api/system.info`, {
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: "{}",
      });
      expect(withToken.status).toBe(200);
      expect((await send(`${remote}api/system.info`, { body: "{}" })).status).toBe(401);
      expect((await send(remote, { method: "GET" })).status).not.toBe(421);
      // Still no DNS rebinding: a name that is not this machine's is refused.
      const rebound = await send(`${remote}api/system.info`, {
        headers: { host: `evil.example:${url.port}`, authorization: `Bearer ${token}` },
        body: "{}",
      });
      expect(rebound.status).toBe(421);
    } finally {
      await serve.stop();
      await data.cleanup();
    }
  });
});
