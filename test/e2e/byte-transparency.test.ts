/**
 * Non-negotiable 1 (transparent): `mcpscope run` relays every byte unchanged, both ways, whatever the
 * traffic holds, and exits with the server's status; observation of a copy never stops.
 *
 * Each scenario is played twice with the same client script: against the misbehaving fixture directly,
 * and through `mcpscope run`. The client must receive the same stdout bytes, the server the same stdin
 * bytes (the fixture reports a SHA-256 of its stdin on stderr), stderr must be unchanged, and the exit
 * status must be the server's. Then the wrapper's database must hold the calls and protocol events.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SqlValue } from "../../electron/monitor/store/db.js";
import { decodePayload } from "../../electron/monitor/store/payload-codec.js";
import { exitStatus, killAll, type RawProcess, type RawResult, runRaw } from "../fixtures/raw-client.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "bin/mcpscope.js");
const FIXTURE = join(ROOT, "test/fixtures/misbehaving-server.mjs");
const NODE = process.execPath;
/** The wrapper parses lines up to 16 MiB (run.ts `maxLineBytes`); longer ones are recorded as oversized. */
const OVERSIZED = 17 * 1024 * 1024;
const FIVE_MB = 5 * 1024 * 1024;

const dirs: string[] = [];
let scratch = "";

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/cli.mjs")) || !existsSync(join(ROOT, "dist/observer-worker.mjs")))
    throw new Error("dist/ is not built: run `node build/build.mjs node` (npm test builds first)");
  scratch = await mkdtemp(join(tmpdir(), "mcpscope-transparency-"));
});
afterEach(() => killAll());
afterAll(async () => {
  for (const dir of [...dirs, scratch]) if (dir) await rm(dir, { recursive: true, force: true });
});

interface Played {
  direct: RawResult;
  wrapped: RawResult;
  /** Every byte the client script wrote to stdin. */
  sent: Buffer;
  dataDir: string;
}

/** A client script that records every byte it sends. */
type Script = (
  p: RawProcess,
  send: (bytes: Buffer | string, options?: Parameters<RawProcess["write"]>[1]) => Promise<void>,
) => Promise<void>;

async function play(script: Script, options: { keepStdinOpen?: boolean } = {}): Promise<Played> {
  const sentBy: Buffer[][] = [];
  const run = (command: string, args: string[]) => {
    const sent: Buffer[] = [];
    sentBy.push(sent);
    return runRaw(
      command,
      args,
      (p) =>
        script(p, (bytes, writeOptions) => {
          const buffer = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
          sent.push(buffer);
          return p.write(buffer, writeOptions);
        }),
      { keepStdinOpen: options.keepStdinOpen, timeoutMs: 30_000 },
    );
  };
  const direct = await run(NODE, [FIXTURE]);
  const dataDir = await mkdtemp(join(scratch, "data-"));
  dirs.push(dataDir);
  const wrapped = await run(NODE, [
    BIN,
    "run",
    "--name",
    "misbehaving",
    "--data-dir",
    dataDir,
    "--",
    NODE,
    FIXTURE,
  ]);
  const sent = Buffer.concat(sentBy[0] ?? []);
  // The script itself must be deterministic, or the comparison below means nothing.
  expect(Buffer.concat(sentBy[1] ?? []).equals(sent)).toBe(true);
  return { direct, wrapped, sent, dataDir };
}

function describeDifference(a: Buffer, b: Buffer): string {
  if (a.equals(b)) return "equal";
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (buf: Buffer) =>
    JSON.stringify(buf.subarray(Math.max(0, i - 40), i + 40).toString("latin1"));
  return `lengths ${a.length} vs ${b.length}; first difference at byte ${i}: ${around(a)} vs ${around(b)}`;
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** The fixture's own report of what its stdin carried (its last stdin report on stderr). */
function stdinReport(stderr: Buffer): { bytes: number; sha256: string } {
  const matches = [
    ...stderr
      .toString("latin1")
      .matchAll(/misbehaving-server: [a-z ]+ after (\d+) bytes, sha256 ([0-9a-f]{64})/g),
  ];
  const last = matches.at(-1);
  if (!last) throw new Error("the fixture wrote no stdin report on stderr");
  return { bytes: Number(last[1]), sha256: last[2] ?? "" };
}

/** The wrapped run is byte-for-byte the direct run, on all three streams, with the same exit status. */
function expectTransparent({ direct, wrapped, sent }: Played): void {
  expect(describeDifference(wrapped.stdout, direct.stdout), "stdout the client received").toBe("equal");
  expect(describeDifference(wrapped.stderr, direct.stderr), "stderr (the wrapper adds nothing)").toBe(
    "equal",
  );
  // The server received exactly the bytes the client sent, directly and through the wrapper.
  expect(stdinReport(direct.stderr)).toEqual({ bytes: sent.length, sha256: sha256(sent) });
  expect(stdinReport(wrapped.stderr)).toEqual({ bytes: sent.length, sha256: sha256(sent) });
  // The wrapper itself exits normally, with the server's code or 128 + its signal.
  expect(wrapped.signal).toBeNull();
  expect(wrapped.code).toBe(exitStatus(direct));
}

type Row = Record<string, unknown>;

function query(dataDir: string, sql: string, ...params: (string | number)[]): Row[] {
  const db = new DatabaseSync(join(dataDir, "mcpscope.db"), { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as Row[];
  } finally {
    db.close();
  }
}

function callsById(dataDir: string): Map<string, Row> {
  const rows = query(
    dataDir,
    "SELECT request_id, method, target, outcome, bytes_in, bytes_out, request, response, direction FROM calls",
  );
  // Payload text is read as every reader reads it (long text is stored compressed).
  return new Map(
    rows.map((row) => [
      String(row.request_id),
      {
        ...row,
        request: decodePayload(row.request as SqlValue),
        response: decodePayload(row.response as SqlValue),
      },
    ]),
  );
}

/** Protocol event types seen on a stream: `client→server` or `server→client`. */
function eventTypes(dataDir: string, stream: string): Set<string> {
  const rows = query(dataDir, "SELECT type, details FROM events WHERE type LIKE 'protocol.%'");
  return new Set(
    rows
      .filter((row) => (JSON.parse(String(row.details)) as { stream?: string }).stream === stream)
      .map((row) => String(row.type)),
  );
}

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const request = (id: string | number, method: string, params?: unknown) =>
  line({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
const echo = (id: string, message: string) =>
  request(id, "tools/call", { name: "echo", arguments: { message } });
const INITIALIZE = request(1, "initialize", {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "raw-client", version: "1.0.0" },
});
const cmd = (name: string, extra: Record<string, unknown> = {}) => line({ cmd: name, ...extra });

/** Offsets right before every continuation byte that follows a lead or continuation byte. */
function cutsInsideCharacters(bytes: Buffer): number[] {
  const cuts: number[] = [];
  for (let i = 1; i < bytes.length; i++) {
    if (((bytes[i] ?? 0) & 0xc0) === 0x80 && ((bytes[i - 1] ?? 0) & 0x80) === 0x80) cuts.push(i);
  }
  return cuts;
}

describe("mcpscope run is byte-transparent", () => {
  it("relays a server's garbage unchanged and keeps observing: malformed and non-JSON lines, batches, invalid UTF-8, split characters, 5 MB and 17 MB lines", async () => {
    const played = await play(async (p, send) => {
      await send(INITIALIZE);
      await send(line({ jsonrpc: "2.0", method: "notifications/initialized" }));
      await send(cmd("malformed"));
      await send(cmd("text"));
      await send(cmd("batch"));
      await send(cmd("invalid_utf8"));
      await send(cmd("split"));
      await send(cmd("stderr"));
      await send(cmd("big", { bytes: FIVE_MB }));
      await send(request("big-out", "tools/call", { name: "big", arguments: { bytes: FIVE_MB } }));
      await send(request("huge-out", "tools/call", { name: "big", arguments: { bytes: OVERSIZED } }));
      await send(echo("after-garbage", "still observed after all that"));
      await p.waitForStdout('"id":"after-garbage"');
    });
    expectTransparent(played);
    expect(played.direct.stdout.length).toBeGreaterThan(2 * FIVE_MB + OVERSIZED);

    const calls = callsById(played.dataDir);
    expect(calls.get("1")).toMatchObject({ method: "initialize", outcome: "ok" });
    expect(calls.get("after-garbage")).toMatchObject({ method: "tools/call", target: "echo", outcome: "ok" });
    expect(String(calls.get("after-garbage")?.response)).toContain("still observed after all that");
    // A 5 MB response is parsed and paired (its stored copy is capped).
    const big = calls.get("big-out");
    expect(big).toMatchObject({ method: "tools/call", target: "big", outcome: "ok" });
    expect(Number(big?.bytes_out)).toBeGreaterThan(FIVE_MB);
    expect(String(big?.response).length).toBeLessThan(128 * 1024);
    // A 17 MB response is too long to parse, but its id is recovered and the call is paired.
    expect(calls.get("huge-out")).toMatchObject({ method: "tools/call", outcome: "ok" });
    expect(Number(calls.get("huge-out")?.bytes_out)).toBeGreaterThan(OVERSIZED);

    const fromServer = eventTypes(played.dataDir, "server→client");
    for (const type of [
      "protocol.invalid_json",
      "protocol.not_jsonrpc",
      "protocol.invalid_utf8",
      "protocol.batch",
      "protocol.oversized_line",
    ])
      expect(fromServer, type).toContain(type);

    // The server's stderr lines are logged (the line written in two parts as one line).
    const logs = query(played.dataDir, "SELECT message FROM logs WHERE source = 'stderr'").map((r) =>
      String(r.message),
    );
    expect(logs).toContain("plain log line");
    expect(logs).toContain("a line written in two parts");
  });

  it("relays a client's garbage unchanged: invalid UTF-8, chunks cut inside characters, a batch, malformed JSON and a 5 MB request echoed back", async () => {
    const splitRequest = Buffer.from(echo("split-in", "héllo wörld — 世界 🎉 𝄞 ✓ ça va ñ"));
    const bigMessage = "é€𝄞-".repeat(Math.ceil(FIVE_MB / 10)); // 10 bytes a unit: a little over 5 MB
    const played = await play(async (p, send) => {
      // Even the handshake arrives in 7-byte pieces.
      await send(INITIALIZE, { chunkSize: 7, pauseMs: 1 });
      await send(
        Buffer.concat([
          Buffer.from(
            '{"jsonrpc":"2.0","id":"bad-utf8","method":"tools/call","params":{"name":"echo","arguments":{"message":"',
          ),
          Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
          Buffer.from('"}}}\n'),
        ]),
      );
      await send(Buffer.from([0xf0, 0x9f, 0x0a])); // a truncated 4-byte character alone on a line
      await send(splitRequest, { cuts: cutsInsideCharacters(splitRequest), pauseMs: 10 });
      await send(
        line([
          { jsonrpc: "2.0", id: "b1", method: "ping" },
          { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: "x", progress: 1 } },
          { jsonrpc: "2.0", id: "b2", method: "tools/list" },
        ]),
      );
      await send('{"jsonrpc":"2.0","id":7,\n');
      await send("hello server, this is not JSON\n");
      // 5 MB in 64 KiB writes, each cut at an arbitrary byte (so inside characters too), echoed back.
      await send(echo("big-in", bigMessage), { chunkSize: 65_521 });
      await send(echo("after-garbage", "still observed after all that"));
      await p.waitForStdout('"id":"after-garbage"');
    });
    expectTransparent(played);
    expect(played.sent.length).toBeGreaterThan(FIVE_MB);
    expect(played.direct.stdout.length).toBeGreaterThan(FIVE_MB);

    const calls = callsById(played.dataDir);
    expect(calls.get("after-garbage")).toMatchObject({ method: "tools/call", target: "echo", outcome: "ok" });
    const split = calls.get("split-in");
    expect(split).toMatchObject({ method: "tools/call", target: "echo", outcome: "ok" });
    expect(String(split?.request)).toContain("héllo wörld — 世界 🎉 𝄞 ✓ ça va ñ");
    expect(calls.get("b1")).toMatchObject({ method: "ping", outcome: "ok" });
    expect(calls.get("b2")).toMatchObject({ method: "tools/list", outcome: "ok" });
    const big = calls.get("big-in");
    expect(big).toMatchObject({ method: "tools/call", target: "echo", outcome: "ok" });
    expect(Number(big?.bytes_in)).toBeGreaterThan(FIVE_MB);
    expect(Number(big?.bytes_out)).toBeGreaterThan(FIVE_MB);

    const fromClient = eventTypes(played.dataDir, "client→server");
    for (const type of ["protocol.invalid_utf8", "protocol.invalid_json", "protocol.batch"])
      expect(fromClient, type).toContain(type);
  });

  const endings: Array<{
    name: string;
    last: string;
    keepStdinOpen: boolean;
    status: number;
    code: number | null;
    signal: string | null;
  }> = [
    {
      name: "a crash with exit code 3",
      last: cmd("exit", { code: 3 }),
      keepStdinOpen: true,
      status: 3,
      code: 3,
      signal: null,
    },
    {
      name: "death by SIGKILL (137)",
      last: cmd("kill", { signal: "SIGKILL" }),
      keepStdinOpen: true,
      status: 137,
      code: null,
      signal: "SIGKILL",
    },
    {
      name: "death by SIGTERM (143)",
      last: cmd("kill", { signal: "SIGTERM" }),
      keepStdinOpen: true,
      status: 143,
      code: null,
      signal: "SIGTERM",
    },
    {
      name: "exit code 7 when stdin closes",
      last: cmd("on_eof", { code: 7 }),
      keepStdinOpen: false,
      status: 7,
      code: 7,
      signal: null,
    },
  ];

  for (const ending of endings) {
    it(`exits with the server's status: ${ending.name}`, async () => {
      const played = await play(
        async (p, send) => {
          await send(INITIALIZE);
          await send(cmd("stderr"));
          await send(cmd("big", { bytes: 256 * 1024 }));
          await send(echo("answered", "before the end"));
          await p.waitForStdout('"id":"answered"');
          // The ending and a request the server never answers, in one write.
          await send(ending.last + echo("never-answered", "lost with the server"));
        },
        { keepStdinOpen: ending.keepStdinOpen },
      );
      expectTransparent(played);
      expect(exitStatus(played.direct)).toBe(ending.status);
      expect(played.wrapped.code).toBe(ending.status);

      const calls = callsById(played.dataDir);
      expect(calls.get("answered")).toMatchObject({ outcome: "ok" });
      if (ending.keepStdinOpen)
        expect(calls.get("never-answered")).toMatchObject({ outcome: "disconnected" });
      const sessions = query(played.dataDir, "SELECT exit_code, exit_signal, ended_at FROM sessions");
      expect(sessions).toHaveLength(1);
      expect(sessions[0]).toMatchObject({ exit_code: ending.code, exit_signal: ending.signal });
      expect(sessions[0]?.ended_at).not.toBeNull();
    });
  }
});
