/**
 * Of a server line longer than what is kept, the forwarding thread copies only its head and tail. Read
 * from those two ends, a response must give what the full parse of the whole line gives for its outcome,
 * or say that it cannot tell: never another outcome. The lines here go through the real copy path (the
 * elider, cut into reads of awkward sizes) and the observer's line splitter, as in `mcpscope run`.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { capturePayload, keptBytes } from "../../electron/monitor/pipeline/capture.js";
import { type ElidedRead, readElidedResponse } from "../../electron/monitor/protocol/elided-response.js";
import { classifyValue } from "../../electron/monitor/protocol/jsonrpc.js";
import { LineSplitter } from "../../electron/monitor/protocol/line-splitter.js";
import { judgeResponse } from "../../electron/monitor/protocol/mcp.js";
import type { ObservationSink } from "../../electron/monitor/protocol/observations.js";
import { SessionObserver } from "../../electron/monitor/protocol/session-observer.js";
import {
  CONTROL_HEAD,
  CONTROL_SLOTS,
  CONTROL_WHOLE,
  LineElider,
  TAIL_BYTES,
  WholeResultWatch,
} from "../../electron/monitor/proxy/line-elider.js";
import { awkwardText, sdkResponseLines } from "../helpers/sdk-lines.js";

const LIMIT = 64 * 1024;
const TOKEN = "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1234";

interface Copied {
  head: Buffer;
  tail: Buffer;
  total: number;
  hidden: boolean;
}

/** `line` (plus its newline) through the elider in reads of `sizes` bytes, then the observer's splitter. */
function throughCopy(
  line: string,
  head = keptBytes(LIMIT),
  sizes = [65536, 7, 4096, 9, 30000],
  maxLineBytes = 16 * 1024 * 1024,
): Copied[] {
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
  control[CONTROL_HEAD] = head;
  const elider = new LineElider(control);
  const out: Copied[] = [];
  const whole: Buffer[] = [];
  const splitter = new LineSplitter(
    {
      line: (bytes) => whole.push(Buffer.from(bytes)),
      oversized: () => {
        throw new Error("oversized");
      },
      elided: (h, t, total, hidden) =>
        out.push({ head: Buffer.from(h), tail: Buffer.from(t), total, hidden }),
    },
    maxLineBytes,
  );
  const bytes = Buffer.from(`${line}\n`);
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const chunk = bytes.subarray(at, at + (sizes[i % sizes.length] as number));
    at += chunk.length;
    elider.offer(Buffer.from(chunk), {
      copy: (piece) => splitter.push(Buffer.from(piece), 0),
      elided: (e) => splitter.elide(e.bytes, e.hidden),
    });
  }
  if (whole.length) return [{ head: whole[0] as Buffer, tail: Buffer.alloc(0), total: -1, hidden: false }];
  return out;
}

function elidedRead(line: string, head?: number): ElidedRead | null {
  const [copied] = throughCopy(line, head);
  if (!copied || copied.total < 0) throw new Error("the line was copied whole");
  expect(copied.head.length + copied.tail.length).toBeLessThanOrEqual(
    (head ?? keptBytes(LIMIT)) + TAIL_BYTES,
  );
  expect(copied.total).toBe(Buffer.byteLength(line));
  return readElidedResponse(copied.head, copied.tail, copied.total, copied.hidden);
}

/** What the observer takes from a response: its id and verdict. */
function verdict(message: { id?: unknown; result?: unknown; error?: unknown }) {
  const error = message.error as { code: number; message: string } | undefined;
  return { id: message.id, ...judgeResponse("c2s", message.result, error) };
}

function fullVerdict(line: string) {
  const parsed = classifyValue(JSON.parse(line));
  if (parsed.kind !== "message" || parsed.message.kind !== "response") throw new Error("not a response");
  return verdict(parsed.message);
}

const sdkLines: string[] = [];
beforeAll(async () => {
  const server = new McpServer({ name: "big", version: "1.0.0" });
  server.registerTool("big", { inputSchema: { bytes: z.number() } }, async ({ bytes }) => ({
    content: [{ type: "text", text: `const config = { apiKey: "${TOKEN}" };\n${awkwardText(bytes)}` }],
  }));
  server.registerTool("fails", { inputSchema: { bytes: z.number() } }, async ({ bytes }) => ({
    content: [{ type: "text", text: `failed: ${awkwardText(bytes)}` }],
    isError: true,
  }));
  const lines = await sdkResponseLines(server, async (client) => {
    for (const bytes of [80_000, 1_048_576]) {
      await client.callTool({ name: "big", arguments: { bytes } });
      await client.callTool({ name: "fails", arguments: { bytes } });
    }
  });
  sdkLines.push(...lines);
});

const huge = awkwardText(300_000);
const big = JSON.stringify(huge);
/** Responses whose outcome the two ends tell. */
const told: Record<string, string> = {
  "id after a huge result": `{"result":{"content":[{"type":"text","text":${big}}]},"jsonrpc":"2.0","id":42}`,
  "isError at the head": `{"jsonrpc":"2.0","id":7,"result":{"isError":true,"content":[{"type":"text","text":${big}}]}}`,
  "isError at the tail": `{"result":{"content":[{"type":"text","text":${big}}],"isError":true},"jsonrpc":"2.0","id":"s\\"1"}`,
  "isError false at the tail": `{"result":{"content":[{"type":"text","text":${big}}],"isError":false},"jsonrpc":"2.0","id":2}`,
  "whitespace everywhere": ` { "jsonrpc" : "2.0" , "id" : 7 , "result" : { "content" : [ { "type" : "text" , "text" : ${big} } ] , "isError" : true } } `,
  "error with huge data before its code": `{"jsonrpc":"2.0","id":3,"error":{"data":{"trace":${big}},"code":-32001,"message":"upstream"}}`,
  "client error with huge data": `{"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"bad","data":[${big}]}}`,
  "input_required after a huge payload": `{"jsonrpc":"2.0","id":11,"result":{"content":[{"type":"text","text":${big}}],"resultType":"input_required","requestState":"st"}}`,
  "a huge string as result": `{"jsonrpc":"2.0","id":14,"result":${big}}`,
  "escaped quotes and backslashes at the tail's start": `{"result":{"content":[{"type":"text","text":${JSON.stringify(`${huge}\\"${"\\".repeat(5000)}"`)}}],"isError":true},"jsonrpc":"2.0","id":5}`,
};
/** Responses whose outcome is not in the two ends: `isError` in the middle, or no result or error there. */
const untold: Record<string, string> = {
  "isError in the middle": `{"jsonrpc":"2.0","id":20,"result":{"content":[{"type":"text","text":${big}}],"isError":true,"structuredContent":{"rows":${big}}}}`,
  "a nested isError in the middle": `{"jsonrpc":"2.0","id":21,"result":{"content":[{"type":"text","text":${big}}],"structuredContent":{"isError":false,"rows":${big}}}}`,
  "isError cut by the head's end": `{"jsonrpc":"2.0","id":22,"result":{"a":"${"x".repeat(keptBytes(LIMIT) - 50)}","isError":true,"b":${big}}}`,
  "resultType in the middle": `{"jsonrpc":"2.0","id":28,"result":{"content":[{"type":"text","text":${big}}],"resultType":"input_required","x":${big}}}`,
  "result in the middle": `{"jsonrpc":"2.0","id":23,"x":${big},"result":{"isError":true},"y":${big}}`,
};

describe("a long response, read from its head and tail", () => {
  it("gives the full parse's id and verdict for real SDK responses, 1 MiB included", () => {
    const long = sdkLines.filter((line) => line.length > keptBytes(LIMIT) + TAIL_BYTES);
    expect(long.length).toBe(4);
    expect(long.some((line) => line.length > 1_048_576 && line.includes('"isError":true'))).toBe(true);
    for (const line of long) {
      const read = elidedRead(line);
      expect(read?.kind, line.slice(0, 60)).toBe("response");
      if (read?.kind === "response") expect(verdict(read.message)).toEqual(fullVerdict(line));
    }
  });

  it.each(Object.entries(told))("gives the full parse's id and verdict: %s", (_name, line) => {
    const read = elidedRead(line);
    expect(read?.kind).toBe("response");
    if (read?.kind === "response") expect(verdict(read.message)).toEqual(fullVerdict(line));
  });

  it.each(Object.entries(untold))("says it cannot tell, never guesses: %s", (_name, line) => {
    const read = elidedRead(line);
    expect(read?.kind).toBe("unknown");
    expect(read?.kind === "unknown" && read.id).toBe(JSON.parse(line).id);
  });

  it("says it cannot tell when the head ends right at a name or number that decides the outcome", () => {
    const head = keptBytes(LIMIT);
    /** `lead` padded so that the head ends right after it; `rest` follows. */
    const endingAtHead = (lead: (pad: string) => string, then: string) => {
      const pad = "x".repeat(head - Buffer.byteLength(lead("")));
      return lead(pad) + then;
    };
    const rest = `"content":[{"type":"text","text":${JSON.stringify(awkwardText(20_000))}}]}}`;
    const cases = {
      "a whole isError name, its value past the head": endingAtHead(
        (pad) => `{"jsonrpc":"2.0","id":24,"result":{"a":"${pad}","isError"`,
        `:true,${rest}`,
      ),
      "an error code cut by the head's end": endingAtHead(
        (pad) => `{"jsonrpc":"2.0","id":25,"error":{"message":"${pad}","code":-326`,
        `02,"data":${big}}}`,
      ),
      "an error code in the middle": `{"jsonrpc":"2.0","id":26,"error":{"message":${big},"code":-32602,"data":${big}}}`,
    };
    for (const [name, line] of Object.entries(cases)) {
      const read = elidedRead(line);
      expect(read?.kind, name).toBe("unknown");
    }
    // The name cut across the head's end, read a byte at a time: the seam is still seen.
    for (let into = 1; into < '"isError"'.length; into++) {
      const line = endingAtHead(
        (pad) => `{"jsonrpc":"2.0","id":27,"result":{"a":"${pad}","${"isError".slice(0, into - 1)}`,
        `${"isError".slice(into - 1)}":true,${rest}`,
      );
      const [copied] = throughCopy(line, head, [1]);
      if (!copied) throw new Error("not cut");
      const read = readElidedResponse(copied.head, copied.tail, copied.total, copied.hidden);
      expect(read?.kind, `${into} bytes of the name in the head`).toBe("unknown");
    }
  });

  it("reads a cut line longer than the framing limit from its two ends too (never a guess from its edges)", () => {
    const line = told["isError at the tail"] as string;
    const [copied] = throughCopy(line, keptBytes(LIMIT), [65536], 100_000);
    expect(copied?.total).toBe(Buffer.byteLength(line));
    if (!copied) return;
    const read = readElidedResponse(copied.head, copied.tail, copied.total, copied.hidden);
    expect(read?.kind === "response" && verdict(read.message)).toEqual(fullVerdict(line));
  });

  it("with a short head (the observer behind), outcomes stay the same", () => {
    for (const line of [...sdkLines.filter((l) => l.length > 20_000), ...Object.values(told)]) {
      const read = elidedRead(line, keptBytes(4096));
      expect(read?.kind).toBe("response");
      if (read?.kind === "response") expect(verdict(read.message)).toEqual(fullVerdict(line));
    }
  });

  it("leaves requests and notifications alone (null), and copies short lines whole", () => {
    expect(
      elidedRead(`{"jsonrpc":"2.0","id":1,"method":"sampling/createMessage","params":{"x":${big}}}`),
    ).toBeNull();
    expect(
      elidedRead(`{"jsonrpc":"2.0","method":"notifications/message","params":{"data":${big}}}`),
    ).toBeNull();
    const short = `{"jsonrpc":"2.0","id":1,"result":{"t":"${"x".repeat(60_000)}"}}`;
    expect(throughCopy(short)[0]?.total).toBe(-1);
  });

  it("keeps the head's first 64 KiB, masked, and says how long the whole was", () => {
    const line = sdkLines.find((l) => l.length > 1_048_576 && !l.includes("isError")) ?? "";
    const read = elidedRead(line);
    if (read?.kind !== "response") throw new Error("not read");
    const stored = capturePayload(read.kept(LIMIT), LIMIT) ?? "";
    expect(stored.includes(TOKEN)).toBe(false);
    expect(stored.includes("[masked:named-secret")).toBe(true);
    expect(Buffer.byteLength(stored)).toBeLessThan(LIMIT + 100);
    const cut = Number(/…\[truncated (\d+) bytes\]$/.exec(stored)?.[1]);
    expect(cut).toBeGreaterThan(Buffer.byteLength(line) - LIMIT - 1000);
    // The same text the full parse stores, up to the cut.
    const full = capturePayload(JSON.parse(line), LIMIT) ?? "";
    const same =
      stored.replace(/…\[truncated \d+ bytes\]$/, "") === full.replace(/…\[truncated \d+ bytes\]$/, "");
    expect(same).toBe(true);
  });
});

describe("the observer with cut lines", () => {
  function observe(lines: string[]) {
    const calls: { requestId: string; outcome: string }[] = [];
    let unobserved = 0;
    const sink: ObservationSink = {
      call: (call) => calls.push(call),
      unobserved: (n) => {
        unobserved += n;
      },
      log: () => {},
      session: () => {},
      protocolEvent: () => {},
    };
    const observer = new SessionObserver(sink, { captureLimit: LIMIT });
    for (const [i, line] of lines.entries()) {
      const id = JSON.parse(line).id;
      observer.line(
        "in",
        Buffer.from(JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: `t${i}` } })),
        i,
      );
      const [copied] = throughCopy(line);
      if (!copied) throw new Error("nothing copied");
      observer.elided("out", copied.head, copied.tail, copied.total, copied.hidden, i + 0.5);
    }
    return { calls, unobserved, pending: observer.pendingCount };
  }

  it("records a cut notification and a cut server request from their heads", () => {
    const logs: unknown[] = [];
    const calls: { method: string; outcome: string }[] = [];
    const sink: ObservationSink = {
      call: (call) => calls.push(call),
      log: (log) => logs.push(log),
      session: () => {},
      protocolEvent: () => {},
    };
    const observer = new SessionObserver(sink, { captureLimit: LIMIT });
    const cut = (line: string) => {
      const [copied] = throughCopy(line);
      if (!copied || copied.total < 0) throw new Error("copied whole");
      observer.elided("out", copied.head, copied.tail, copied.total, copied.hidden, 1);
    };
    cut(`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"error","data":${big}}}`);
    cut(`{"jsonrpc":"2.0","id":"s1","method":"sampling/createMessage","params":{"messages":[${big}]}}`);
    observer.line("in", Buffer.from('{"jsonrpc":"2.0","id":"s1","result":{"role":"assistant"}}'), 2);
    expect(logs).toEqual([expect.objectContaining({ level: "error" })]);
    expect(calls).toEqual([expect.objectContaining({ method: "sampling/createMessage", outcome: "ok" })]);
  });

  it("stores told outcomes and counts untold ones as unobserved: none stored with a guessed outcome", () => {
    const { calls, unobserved, pending } = observe([
      told["isError at the tail"] ?? "",
      ...Object.values(untold),
    ]);
    expect(calls).toEqual([expect.objectContaining({ requestId: 's"1', outcome: "tool_error" })]);
    expect(unobserved).toBe(Object.keys(untold).length);
    expect(pending).toBe(0);
  });
});

describe("requests for whole answers", () => {
  it("turn cutting off until the observer says they ended", () => {
    const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
    const watch = new WholeResultWatch(control);
    const request = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n{"method":"initialize"}\n');
    // Split inside a name: still counted, once each.
    watch.offer(request.subarray(0, 33));
    watch.offer(request.subarray(33));
    expect(control[CONTROL_WHOLE]).toBe(2);
  });
});
