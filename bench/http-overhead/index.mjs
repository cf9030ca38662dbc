#!/usr/bin/env node
/**
 * What `mcpscope proxy` costs an MCP client over Streamable HTTP, and what the tap costs per message.
 * `echo` calls to server-everything (streamableHttp) with the real SDK client, three ways:
 *
 *   direct    client → server
 *   relay     client → relay.mjs (a minimal node:http reverse proxy: pipes, parses nothing) → server
 *   mcpscope  client → `mcpscope proxy` (relays, copies to its observer, stores every call) → server
 *
 * Sequential calls, then batches of 32 in flight; rounds are interleaved (the order rotates each round).
 * Prints medians in µs (per call; per batch for 32 in flight), the ratio (mcpscope − direct) /
 * (relay − direct) (aim ≤ 1.3) and the calls the proxy stored (must equal those made through it). Then
 * the tap: sequential echo calls over an in-memory pair to an in-process SDK server, plain and with the
 * client end observed; the difference per message (two per call).
 *
 *   node bench/http-overhead/index.mjs            (build first: node build/build.mjs node)
 *   ROUNDS=5 CALLS=200 BATCHES=20 node bench/http-overhead/index.mjs
 *
 * Exits 1 if the proxy stored a different number of calls than were made through it.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { median } from "../lib.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "bin", "mcpscope.js");
const EVERYTHING = join(
  dirname(createRequire(import.meta.url).resolve("@modelcontextprotocol/server-everything/package.json")),
  "dist",
  "index.js",
);
const NODE = process.execPath;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CALLS = Number(process.env.CALLS ?? 200);
const BATCHES = Number(process.env.BATCHES ?? 20);
const WARMUP = Number(process.env.WARMUP ?? 100);
const IN_FLIGHT = 32;
const TAP_CALLS = Number(process.env.TAP_CALLS ?? 3000);

if (!existsSync(join(ROOT, "dist", "tap.mjs"))) {
  console.error("dist/ is not built: run `node build/build.mjs node` first");
  process.exit(2);
}
const dataDir = await mkdtemp(join(tmpdir(), "mcpscope-bench-http-"));
const children = [];

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Spawns a process and resolves with the first stdout/stderr match of `pattern`. */
function launch(args, env, pattern) {
  const child = spawn(NODE, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let text = "";
    const look = (chunk) => {
      text += chunk;
      const match = pattern.exec(text);
      if (match) resolve(match);
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited (${code}): ${text}`)));
  });
}

const port = await freePort();
await launch([EVERYTHING, "streamableHttp"], { PORT: String(port) }, /listening on port/i);
const direct = `http://127.0.0.1:${port}/mcp`;
const [, relayPort] = await launch(
  [join(ROOT, "bench/http-overhead/relay.mjs"), direct],
  {},
  /listening (\d+)/,
);
const [, proxied] = await launch(
  [BIN, "proxy", "--upstream", direct, "--name", "bench-http", "--data-dir", dataDir],
  {},
  /mcpscope proxy: (\S+) →/,
);
const URLS = { direct, relay: `http://127.0.0.1:${relayPort}/mcp`, mcpscope: proxied };
const order = ["direct", "relay", "mcpscope"];

async function connect(name) {
  const client = new Client({ name: `bench-${name}`, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(URLS[name])));
  return { name, client, seq: [], par: [], made: 0 };
}

async function echo(conn) {
  const message = `bench ${conn.name} ${conn.made++}`;
  const result = await conn.client.callTool({ name: "echo", arguments: { message } });
  if (result.content?.[0]?.text !== `Echo: ${message}`) throw new Error(`${conn.name}: unexpected result`);
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1000;
}

const conns = {};
for (const name of order) conns[name] = await connect(name);
console.log(
  `http-overhead: ${ROUNDS} rounds × (${CALLS} sequential echo calls + ${BATCHES} batches of ${IN_FLIGHT} in flight) per mode; node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
);
for (const name of order) for (let i = 0; i < WARMUP; i++) await echo(conns[name]);

for (let round = 0; round < ROUNDS; round++) {
  const rotated = order.map((_, i) => order[(i + round) % order.length]);
  for (const name of rotated) {
    const conn = conns[name];
    for (let i = 0; i < CALLS; i++) conn.seq.push(await timed(() => echo(conn)));
    for (let b = 0; b < BATCHES; b++) {
      conn.par.push(await timed(() => Promise.all(Array.from({ length: IN_FLIGHT }, () => echo(conn)))));
    }
  }
  console.log(`  round ${round + 1} done`);
}
for (const name of order) await conns[name].client.close();

const report = (label, key) => {
  const med = Object.fromEntries(order.map((name) => [name, median(conns[name][key])]));
  const ratio = (med.mcpscope - med.direct) / (med.relay - med.direct);
  // With the relay no slower than direct, the machine's drift exceeded what the hop costs.
  const verdict =
    med.relay > med.direct
      ? `ratio ${ratio.toFixed(2)} (aim ≤ 1.3)`
      : "no ratio: the relay measured no slower than direct (noise; run again)";
  console.log(
    `${label.padEnd(24)} direct ${med.direct.toFixed(0)} µs, relay ${med.relay.toFixed(0)} µs, mcpscope ${med.mcpscope.toFixed(0)} µs; ${verdict}`,
  );
};
console.log("");
report("sequential, per call", "seq");
report(`${IN_FLIGHT} in flight, per batch`, "par");

// The proxy flushes on exit: stop it, then count what it stored.
const proxyChild = children[2];
proxyChild.kill("SIGTERM");
await new Promise((resolve) => proxyChild.once("exit", resolve));
const db = new DatabaseSync(join(dataDir, "mcpscope.db"), { readOnly: true });
const stored = Number(
  db
    .prepare(
      "SELECT count(*) AS n FROM calls WHERE server = 'bench-http' AND method = 'tools/call' AND outcome = 'ok'",
    )
    .get().n,
);
db.close();
const made = conns.mcpscope.made;
console.log(
  `calls stored by the proxy: ${stored} of ${made} made through it — ${stored === made ? "all stored" : "MISMATCH"}`,
);

// The tap, in process: the same echo over an in-memory pair, plain and observed.
const { observe } = await import(pathToFileURL(join(ROOT, "dist", "tap.mjs")).href);
async function inMemory(observed) {
  const server = new McpServer({ name: "bench", version: "1.0.0" });
  server.registerTool("echo", { inputSchema: { message: z.string() } }, async ({ message }) => ({
    content: [{ type: "text", text: `Echo: ${message}` }],
  }));
  const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
  await server.connect(serverEnd);
  const client = new Client({ name: "bench-tap", version: "1.0.0" });
  await client.connect(observed ? observe(clientEnd, { name: "bench-tap", dataDir }) : clientEnd);
  return { name: observed ? "tap" : "plain", client, made: 0, seq: [] };
}
const tapConns = [await inMemory(false), await inMemory(true)];
for (const conn of tapConns) for (let i = 0; i < WARMUP * 5; i++) await echo(conn);
for (let round = 0; round < ROUNDS; round++) {
  for (const conn of round % 2 ? [...tapConns].reverse() : tapConns) {
    for (let i = 0; i < TAP_CALLS / ROUNDS; i++) conn.seq.push(await timed(() => echo(conn)));
  }
}
for (const conn of tapConns) await conn.client.close();
const [plain, tapped] = tapConns.map((conn) => median(conn.seq));
console.log(
  `tap, in process:         plain ${plain.toFixed(1)} µs, observed ${tapped.toFixed(1)} µs per call; added ${((tapped - plain) / 2).toFixed(1)} µs per message`,
);

// The tap's observer stores what it holds once its transport closed, on its own: wait until its session has
// ended (5 s at most, its own bound) before the data dir goes.
const tapEnded = () => {
  const tapDb = new DatabaseSync(join(dataDir, "mcpscope.db"), { readOnly: true });
  try {
    return (
      tapDb
        .prepare("SELECT count(*) AS n FROM sessions WHERE server = 'bench-tap' AND ended_at IS NOT NULL")
        .get().n > 0
    );
  } finally {
    tapDb.close();
  }
};
for (const waitUntil = Date.now() + 6000; !tapEnded() && Date.now() < waitUntil; )
  await new Promise((resolve) => setTimeout(resolve, 50));
for (const child of children) child.kill("SIGTERM");
await rm(dataDir, { recursive: true, force: true });
if (stored !== made) process.exitCode = 1;
