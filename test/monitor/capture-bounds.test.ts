/**
 * Work per message is bounded by what is kept: a 1 MiB tool result is stored capped at the capture limit,
 * with the credentials in the kept text masked (and reported), while the part past the cap is neither
 * stored nor scanned. A response that long is read in place rather than parsed whole; its outcome must
 * still be the one its envelope says, wherever the envelope's fields sit.
 */

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { maskDefinition } from "../../electron/monitor/health/tool-snapshot.js";
import {
  capText,
  capturePayload,
  captureText,
  SHORT_CAPTURE_LIMIT,
} from "../../electron/monitor/pipeline/capture.js";
import { maskString, maskValue } from "../../electron/monitor/pipeline/mask.js";
import { SessionObserver } from "../../electron/monitor/protocol/session-observer.js";
import { preciseNow } from "../../electron/monitor/proxy/clock.js";
import { packBatch } from "../../electron/monitor/proxy/copy-batch.js";
import { Observation } from "../../electron/monitor/proxy/observation.js";
import { drainDeadlineBuffer } from "../../electron/monitor/proxy/worker-protocol.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { decodePayload, encodePayload } from "../../electron/monitor/store/payload-codec.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

const NEAR = `ghp_${"N3arTh3St4rt".repeat(3)}`;
const STRADDLING = `sk-proj-${"Str4ddl1ngTh3Cut".repeat(3)}`;
const FAR = "AKIAQWERTYUIOPASDFGH";

describe("a 1 MiB response", () => {
  it("is stored capped at 64 KiB, masked in what is kept; what lies past the cap is not scanned", () => {
    const LIMIT = 64 * 1024;
    const line = "  return items.map((item) => item.price * item.quantity); // a line of code\n";
    // A credential near the start, one straddling the cut, and one 900 KiB in.
    let text = `const auth = "${NEAR}";\n${line.repeat(Math.ceil((LIMIT - 200) / line.length))}`;
    text = `${text.slice(0, LIMIT - 90)} ${STRADDLING} ${line.repeat(Math.ceil(((900 << 10) - LIMIT) / line.length))}`;
    text = `${text} ${FAR}\n${line.repeat(Math.ceil(((1 << 20) - text.length) / line.length))}`;
    expect(text.length).toBeGreaterThanOrEqual(1 << 20);

    const writer = new BatchWriter({ open: () => openDb(join(dir.path, "mcpscope.db")) });
    const recorder = new SessionRecorder(
      writer,
      {
        sessionId: "big-1",
        server: "files",
        command: "files-server",
        startedAt: Date.now(),
        pid: null,
        wrapperPid: process.pid,
      },
      LIMIT,
    );
    const observer = new SessionObserver(recorder);
    const request = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "read", arguments: {} } };
    const response = { jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text }] } };
    const now = Date.now();
    observer.line("in", Buffer.from(JSON.stringify(request)), now);
    observer.line("out", Buffer.from(JSON.stringify(response)), now + 5);
    recorder.ended({ endedAt: now + 10, exitCode: 0, signal: null });
    writer.close();

    const db = openDb(join(dir.path, "mcpscope.db"));
    const call = db
      .prepare("SELECT outcome, bytes_out, response FROM calls WHERE session_id = 'big-1'")
      .get();
    const findings = db
      .prepare("SELECT details FROM events WHERE session_id = 'big-1' AND type = 'secret.detected'")
      .all()
      .map((row) => String(row.details))
      .join("\n");
    db.close();

    // Stored compressed (it is over the compression threshold): read as every reader reads it.
    const stored = decodePayload(call?.response) ?? "";
    expect(call?.outcome).toBe("ok");
    expect(Number(call?.bytes_out)).toBeGreaterThan(1 << 20);
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(LIMIT + 64);
    expect(stored).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(stored).not.toContain(NEAR);
    expect(stored).toContain("[masked:github-pat");
    // The secret across the cut is masked whole: not even its head is kept.
    expect(stored).not.toContain(STRADDLING.slice(0, 20));
    expect(stored).not.toContain(FAR);
    // Found and reported: the kept credentials; not scanned: the one 900 KiB in.
    expect(findings).toContain("github-pat");
    const farKinds = new Set<string>();
    maskString(`id ${FAR} here`, farKinds);
    expect([...farKinds].join()).toContain("aws");
    expect(findings).not.toContain("aws");
  });
});

/** Plays `exchanges` (request, then response) through an observer into a fresh session; returns its calls. */
function record(session: string, exchanges: [unknown, string][], limit = 64 * 1024) {
  const path = join(dir.path, `${session}.db`);
  const writer = new BatchWriter({ open: () => openDb(path) });
  const identity = {
    sessionId: session,
    server: "files",
    command: "files-server",
    startedAt: Date.now(),
    pid: null,
    wrapperPid: process.pid,
  };
  const recorder = new SessionRecorder(writer, identity, limit);
  const observer = new SessionObserver(recorder, { captureLimit: limit });
  let now = Date.now();
  for (const [request, response] of exchanges) {
    observer.line("in", Buffer.from(JSON.stringify(request)), now++);
    observer.line("out", Buffer.from(response), now++);
  }
  observer.close(now);
  recorder.ended({ endedAt: now, exitCode: 0, signal: null });
  writer.close();
  const db = openDb(path);
  const rows = db
    .prepare(
      "SELECT request_id, outcome, error_code, error_message, bytes_out, response FROM calls ORDER BY request_id",
    )
    .all()
    .map((row) => ({
      request_id: String(row.request_id),
      outcome: String(row.outcome),
      error_code: row.error_code === null ? null : Number(row.error_code),
      error_message: row.error_message === null ? null : String(row.error_message),
      bytes_out: Number(row.bytes_out),
      response: decodePayload(row.response) ?? "",
    }));
  db.close();
  return rows;
}

const call = (id: number) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "read", arguments: {} },
});
const big = "x".repeat(1 << 20);

describe("a response far over the capture limit, read in place", () => {
  it("keeps the outcome its envelope says, wherever its fields sit", () => {
    const rows = record("outcomes", [
      // The id after the payload, as the SDK writes it.
      [call(1), `{"result":{"content":[{"type":"text","text":"${big}"}]},"jsonrpc":"2.0","id":1}`],
      [
        call(2),
        `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"${big}"}],"isError":true}}`,
      ],
      [
        call(3),
        `{"jsonrpc":"2.0","id":3,"error":{"data":"${big}","code":-32603,"message":"disk \\"full\\""}}`,
      ],
      [call(4), `{"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"bad path","data":["${big}"]}}`],
      // Brackets and escaped quotes inside the payload do not move the envelope.
      [call(5), `{"jsonrpc":"2.0","result":{"text":"${'}]\\"{['.repeat(200_000)}"},"id":5}`],
    ]);
    expect(rows.map((r) => [r.request_id, r.outcome, r.error_code])).toEqual([
      ["1", "ok", null],
      ["2", "tool_error", null],
      ["3", "server_error", -32603],
      ["4", "client_error", -32602],
      ["5", "ok", null],
    ]);
    expect(rows[1]?.error_message).toBe(`${"x".repeat(500)}…`);
    expect(rows[2]?.error_message).toBe('disk "full"');
    for (const row of rows) {
      expect(Number(row.bytes_out)).toBeGreaterThan(1 << 20);
      expect(Buffer.byteLength(row.response)).toBeLessThanOrEqual(64 * 1024 + 64);
      expect(row.response).toMatch(/…\[truncated \d+ bytes\]$/);
    }
    // What is kept is the message's start, as the full parse would print it.
    expect(rows[0]?.response.startsWith('{"result":{"content":[{"type":"text","text":"xxx')).toBe(true);
    expect(rows[2]?.response.startsWith('{"jsonrpc":"2.0","id":3,"error":{"data":"xxx')).toBe(true);
  });

  it("stores nothing past the cut: a secret after the kept window is neither stored nor its text kept", () => {
    const LIMIT = 4096;
    const NEAR_CUT = `ghp_${"Cl0seT0Th3Cut".repeat(3)}`;
    const text = `${"a".repeat(LIMIT - 60)} ${NEAR_CUT} ${"b".repeat(20_000)} ${FAR} ${"c".repeat(200_000)}`;
    const [row] = record(
      "window",
      [[call(1), JSON.stringify({ jsonrpc: "2.0", id: 1, result: { text } })]],
      LIMIT,
    );
    expect(row?.outcome).toBe("ok");
    // It straddles the cut: masked whole, so not even its first characters are kept.
    expect(row?.response).toContain("a".repeat(LIMIT - 200));
    expect(row?.response).not.toContain(NEAR_CUT.slice(0, 8));
    expect(row?.response).not.toContain("b".repeat(5000));
    expect(row?.response).not.toContain(FAR);
    expect(Buffer.byteLength(row?.response ?? "")).toBeLessThanOrEqual(LIMIT + 64);
  });
});

describe("a whole message longer than the capture limit", () => {
  it("says how much of the message as it came was left out, and stores the same text as when printed", () => {
    const value = {
      jsonrpc: "2.0",
      id: 7,
      result: { content: [{ type: "text", text: "z".repeat(100_000) }] },
    };
    const printed = Buffer.byteLength(JSON.stringify(value));
    const measured = capturePayload(value, 4096) as string;
    expect(capturePayload(value, 4096, undefined, { bytes: printed })).toBe(measured);
    // The same message as a server printed it with spaces: the cut counts its own bytes.
    const spaced = Buffer.byteLength(JSON.stringify(value, null, 2));
    const told = capturePayload(value, 4096, undefined, { bytes: spaced }) as string;
    const kept = Buffer.byteLength(told.replace(/…\[truncated \d+ bytes\]$/, ""));
    expect(told).toMatch(new RegExp(`…\\[truncated ${spaced - kept} bytes\\]$`));
    expect(told.slice(0, 4000)).toBe(measured.slice(0, 4000));
  });

  it("counts the whole message in what a cut left out, whichever limit cut it", () => {
    // Three bytes a character: the byte limit cuts long before masking's budget (in characters) runs out.
    const value = {
      jsonrpc: "2.0",
      id: 8,
      result: { content: [{ type: "text", text: "中".repeat(30_000) }] },
    };
    const printed = Buffer.byteLength(JSON.stringify(value));
    for (const options of [{}, { bytes: printed }, { bytes: printed + 5000 }]) {
      const text = capturePayload(value, 64 * 1024, undefined, options) as string;
      const kept = Buffer.byteLength(text.replace(/…\[truncated \d+ bytes\]$/, ""));
      const whole = options.bytes ?? printed;
      expect(text.endsWith(`…[truncated ${whole - kept} bytes]`), JSON.stringify(options)).toBe(true);
    }
  });
});

describe("a payload's own members", () => {
  it("keeps a __proto__ key, and an `oversized` member is captured like any other", () => {
    const request = JSON.parse(
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t","arguments":{"__proto__":{"x":1},"b":2}}}',
    );
    expect(capturePayload(request)).toContain('"arguments":{"__proto__":{"x":1},"b":2}');
    const posing = { jsonrpc: "2.0", id: 2, result: { content: [] }, oversized: true, bytes: 5 };
    expect(capturePayload(posing)).toBe(JSON.stringify(posing));
  });

  it("stores a payload nested thousands deep under a secret-named key, its depth cut", () => {
    const deep = JSON.parse(
      `{"jsonrpc":"2.0","id":3,"result":{"credentials":${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}}}`,
    );
    const text = capturePayload(deep) as string;
    expect(text).toContain("[too deep]");
    expect(text.startsWith('{"jsonrpc":"2.0","id":3,"result":{"credentials":{"a":{"a":')).toBe(true);
  });
});

describe("capping text", () => {
  it("cuts on a character boundary, never inside a surrogate pair", () => {
    expect(capText("🙂".repeat(10), 9)).toBe(`${"🙂".repeat(2)}…[truncated 32 bytes]`);
    expect(capText(`ab${"é".repeat(10)}`, 7)).toBe("abéé…[truncated 16 bytes]");
  });
});

describe("a cut after an earlier secret shortened the text", () => {
  // A 5 KB JWT masks to a few dozen characters: text from past the cut moves in front of it. A token the
  // masking window cut short (so no rule matches it) must not be among what moved in.
  const LIMIT = 64 * 1024;
  const jwt = `eyJhbGciOiJIUzI1NiJ9.${"A".repeat(2500)}.${"B".repeat(2500)}`;
  const token = `ghp_${"Zq8Kx2Lm9Pw4Rt6Yv1Nb3Hc5Jd7Fg0Sa2De4"}`;
  const layout = (windowEnd: number) => `${jwt} ${"x".repeat(windowEnd - 20 - jwt.length - 1)} ${token}`;

  it("keeps only what lay before the cut in a payload's string, and says it was cut", () => {
    // The value's string starts after `{"a":` (5 characters): the window ends at LIMIT - 5 + 4096.
    const stored = capturePayload({ a: layout(LIMIT - 5 + 4096) }, LIMIT, new Set()) ?? "";
    expect(stored).not.toContain("ghp_");
    expect(stored).not.toContain("Zq8Kx2");
    expect(stored).toMatch(/…\[truncated \d+ bytes\]$/);
  });

  it("keeps only what lay before the cut in free text, and says it was cut", () => {
    const stored = captureText(layout(LIMIT + 4096), LIMIT, new Set());
    expect(stored).not.toContain("ghp_");
    expect(stored).not.toContain("Zq8Kx2");
    expect(stored).toMatch(/…\[truncated \d+ bytes\]$/);
  });

  it("still masks a secret that straddles the cut whole", () => {
    const stored = captureText(`${"x".repeat(LIMIT - 10)} ${token} tail`, LIMIT, new Set());
    expect(stored).not.toContain("Zq8Kx2");
    expect(stored).toContain("[masked:");
  });
});

describe("while the observer is behind the traffic", () => {
  const straddling = `ghp_${"Str4ddl3sTh3Sh0rtCut".repeat(2)}`;
  const text = `${"a".repeat(SHORT_CAPTURE_LIMIT - 50)} ${straddling} ${"b".repeat(80_000)}`;

  /** An observation of session `name`, fed one call's copies at a time, and its stored calls. */
  function harness(name: string) {
    const path = join(dir.path, `${name}.db`);
    const writer = new BatchWriter({ open: () => openDb(path) });
    const init = {
      dataDir: dir.path,
      sessionId: name,
      server: "files",
      command: "files-server",
      startedAt: Date.now(),
      wrapperPid: process.pid,
      timeoutMs: 60_000,
      captureLimit: 64 * 1024,
      maxLineBytes: 4 << 20,
      client: null,
      drainDeadline: drainDeadlineBuffer(),
    };
    const observation = new Observation(init, writer, () => {});
    const exchange = (id: number, readAt: number, inFlight: number) => {
      const copy = (stream: "in" | "out", message: unknown) =>
        observation.handle(
          packBatch<"in" | "out", never>(
            [{ stream, at: readAt, bytes: new Uint8Array(Buffer.from(`${JSON.stringify(message)}\n`)) }],
            inFlight,
          ).message,
        );
      copy("in", call(id));
      copy("out", { jsonrpc: "2.0", id, result: { text } });
    };
    const rows = () => {
      observation.handle({ type: "exit", at: Date.now(), exitCode: 0, signal: null });
      const db = openDb(path);
      const stored = db
        .prepare("SELECT request_id, outcome, response FROM calls WHERE session_id = ? ORDER BY request_id")
        .all(name)
        .map((row) => ({
          id: String(row.request_id),
          outcome: String(row.outcome),
          response: decodePayload(row.response) ?? "",
        }));
      db.close();
      return stored;
    };
    return { exchange, rows };
  }

  it("stores every call with its outcome and a shorter capture, masked across its cut", () => {
    const { exchange, rows: stored } = harness("behind");
    // Read a second ago with little behind them (the thread was paused, not swamped): kept in full.
    exchange(1, Date.now() - 1000, 200_000);
    // Read a second ago with 16 MiB behind them: the observer is behind.
    exchange(2, Date.now() - 1000, 16 << 20);
    exchange(3, Date.now() - 1000, 16 << 20);
    // Fresh ones: it has caught up.
    exchange(4, Date.now(), 16 << 20);
    exchange(5, Date.now(), 16 << 20);
    const rows = stored();
    expect(rows.map((r) => [r.id, r.outcome])).toEqual([
      ["1", "ok"],
      ["2", "ok"],
      ["3", "ok"],
      ["4", "ok"],
      ["5", "ok"],
    ]);
    const sizes = rows.map((r) => Buffer.byteLength(r.response));
    // A late batch with no backlog behind it: the full capture.
    expect(sizes[0]).toBeGreaterThan(64 * 1024 - 64);
    // Behind: the short capture, and the secret across its cut masked whole.
    expect(sizes[2]).toBeLessThanOrEqual(SHORT_CAPTURE_LIMIT + 64);
    expect(rows[2]?.response).not.toContain(straddling.slice(0, 8));
    expect(rows[2]?.response).toMatch(/…\[truncated \d+ bytes\]$/);
    // Caught up: the full capture again (past the short cut, up to the limit).
    expect(sizes[4]).toBeGreaterThan(64 * 1024 - 64);
    for (const row of rows) expect(row.response).not.toContain(straddling.slice(0, 8));
  });

  it("judges how late a copy is on the clock that stamped it, not on a wall clock that stepped", () => {
    const { exchange, rows: stored } = harness("stepped");
    // The traffic's clock (sub-millisecond, kept on the wall clock) stamps a copy read just now; then the
    // wall clock steps half a second ahead, as a clock sync may do, which that clock does not follow.
    const readAt = preciseNow();
    const wall = Date.now();
    const stepped = vi.spyOn(Date, "now").mockImplementation(() => wall + 500);
    try {
      exchange(1, readAt, 16 << 20);
    } finally {
      stepped.mockRestore();
    }
    const [row] = stored();
    expect(Buffer.byteLength(row?.response ?? "")).toBeGreaterThan(64 * 1024 - 64);
  });
});

describe("captures side by side", () => {
  it("keeps a payload's own characters and each capture's own bytes, whatever was masked beside them", () => {
    // A request cut at the limit, then a response with a masked value next to an unusual character, a
    // value masked and then overwritten (__proto__), and keys that mask alike.
    const request = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { text: "A".repeat(70_000) } };
    const response = {
      jsonrpc: "2.0",
      id: 1,
      result: {
        note: "B\u0085C",
        auth: "Bearer abcdefghijklmnopqrstuvwxyz",
        ["__proto__"]: "token=abcdefghijklmnopqrstuvwxyz",
        pad: "b".repeat(3000),
      },
    };
    const requestText = capturePayload(request) as string;
    const responseText = capturePayload(JSON.parse(JSON.stringify(response))) as string;
    expect(responseText).toContain('"note":"B\u0085C"');
    expect(responseText).toContain("[masked:");
    expect(responseText).not.toContain("abcdefghijklmnopqrstuvwxyz");
    // What the store encodes for the request is the request's text, not bytes another capture left.
    expect(decodePayload(encodePayload(requestText) as Uint8Array | string)).toBe(requestText);
    expect(decodePayload(encodePayload(responseText) as Uint8Array | string)).toBe(responseText);
    // The same without the overwritten value: a capture that falls back to another way of capping.
    const plainer = { jsonrpc: "2.0", id: 2, result: { note: "B\u0085C", auth: response.result.auth } };
    const requestAgain = capturePayload(request) as string;
    const plainerText = capturePayload(plainer) as string;
    expect(plainerText).toContain('"note":"B\u0085C"');
    expect(decodePayload(encodePayload(requestAgain) as Uint8Array | string)).toBe(requestAgain);
  });
});

describe("a cut payload", () => {
  const stored = (text: string) => /^([\s\S]*)…\[truncated (\d+) bytes\]$/.exec(text);

  it("is the text as sent up to the cut, not a closed copy with invented keys", () => {
    for (const limit of [256, 1024, 4096, 65_536]) {
      for (const value of [
        { x: "a".repeat(200_000), y: "b" },
        { jsonrpc: "2.0", id: 3, method: "tools/call", params: { arguments: { x: "a".repeat(262_144) } } },
        { a: { b: "x".repeat(100_000), c: "yyy" }, list: ["z".repeat(90_000), "w"], d: 1 },
      ]) {
        const sent = JSON.stringify(value);
        const [, prefix = "", left = ""] = stored(capturePayload(value, limit) ?? "") ?? [];
        expect(sent.startsWith(prefix), `${limit}: ${prefix.slice(-40)}`).toBe(true);
        expect(Buffer.byteLength(prefix)).toBeLessThanOrEqual(limit);
        expect(Buffer.byteLength(prefix)).toBeGreaterThan(limit - 64);
        expect(Number(left)).toBe(Buffer.byteLength(sent) - Buffer.byteLength(prefix));
      }
    }
  });

  it("keeps what it masked before the cut, and its stand-in and plain forms agree", () => {
    const value = { token: NEAR, note: "see below", body: "q".repeat(10_000) };
    const found = new Set<string>();
    const text = capturePayload(value, 1024, found) ?? "";
    const [, prefix = ""] = stored(text) ?? [];
    expect(prefix).toMatch(/^\{"token":"\[masked:[^\]]+\]","note":"see below","body":"q+$/);
    expect(text).not.toContain(NEAR);
    expect(found.size).toBeGreaterThan(0);
    expect(capturePayload(value, 1024, undefined, { standIn: "always" })).toBe(
      capturePayload(value, 1024, undefined, { standIn: "never" }),
    );
  });
});

describe("secrets at a cut", () => {
  it("never keeps part of a secret under a secret name when the cut falls inside it", () => {
    const secret = "Sup3rS3cretPassw0rdValue";
    for (const pad of [985, 990, 995, 1000, 1005]) {
      for (const standIn of ["always", "never"] as const) {
        const found = new Set<string>();
        const text = capturePayload({ a: "b".repeat(pad), password: secret }, 1024, found, { standIn }) ?? "";
        for (let n = 3; n <= secret.length; n++)
          expect(text, `${pad} ${standIn}`).not.toContain(secret.slice(0, n));
        if (text.includes('"password":"')) expect(found.has("named-secret"), `${pad} ${standIn}`).toBe(true);
      }
    }
  });

  it("masks an AWS secret key in the string after its key id, as payloads are masked string by string", () => {
    const id = `AKIA${"Q3ZX7W2M".repeat(2)}`;
    const secret = `wJalrXUtnFEMI/K7MDENG/${"bPxRfiCYz".repeat(2)}`.slice(0, 40);
    for (const value of [
      { id, key: secret },
      [id, secret],
      {
        content: [
          { type: "text", text: `id ${id}` },
          { type: "text", text: secret },
        ],
      },
      [
        [id, secret],
        [id.replace("Q3", "R4"), secret.replace("wJ", "xK")],
      ],
    ]) {
      const text = capturePayload(value, 64 * 1024) ?? "";
      expect(text, JSON.stringify(value)).not.toContain(secret.slice(0, 36));
      expect(text).not.toContain(secret.replace("wJ", "xK").slice(0, 36));
      expect(text).toContain("[masked:aws-secret-access-key");
    }
  });

  it("masks it the same way in audit details and tool definitions, which are masked without a capture", () => {
    const id = `AKIA${"Q3ZX7W2M".repeat(2)}`;
    const secret = `wJalrXUtnFEMI/K7MDENG/${"bPxRfiCYz".repeat(2)}`.slice(0, 40);
    expect(JSON.stringify(maskValue({ id, key: secret }))).not.toContain(secret.slice(0, 36));
    const tool = {
      name: "deploy",
      description: `Deploys with ${id}`,
      inputSchema: { type: "object", properties: { key: { type: "string", default: secret } } },
    };
    expect(JSON.stringify(maskDefinition(tool))).not.toContain(secret.slice(0, 36));
  });

  it("cuts at its own mark even where a payload holds the same noncharacters", () => {
    // Keys under a secret name are printed (masked) after the cut too.
    const value = { "\uffff": "\uffff\uffff", body: "z".repeat(5000), credentials: { "k\uffff": "v" } };
    const [, prefix = ""] =
      /^([\s\S]*)…\[truncated \d+ bytes\]$/.exec(capturePayload(value, 1024) ?? "") ?? [];
    expect(JSON.stringify(value).startsWith(prefix)).toBe(true);
    expect(prefix.length).toBeGreaterThan(900);
  });
});
