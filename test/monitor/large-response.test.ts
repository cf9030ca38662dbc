/**
 * A response too long to keep whole is read in place: for every field the observer uses, the in-place
 * read must give what JSON.parse gives, over real SDK traffic and over the awkward shapes a server may
 * send; and the value kept of its first bytes must be a true prefix of the whole message.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListPromptsResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { capturePayload } from "../../electron/monitor/pipeline/capture.js";
import { closedPrefix } from "../../electron/monitor/protocol/json-scan.js";
import { classifyValue, isObject } from "../../electron/monitor/protocol/jsonrpc.js";
import { readLargeResponse } from "../../electron/monitor/protocol/large-response.js";
import { judgeResponse, serverFacts } from "../../electron/monitor/protocol/mcp.js";
import { awkwardText, sdkResponseLines } from "../helpers/sdk-lines.js";

/** What the observer reads of a response, by way of the full parse or the in-place read. */
function envelope(message: { kind: string; id?: unknown; result?: unknown; error?: unknown } | null) {
  if (message?.kind !== "response") return { kind: message?.kind ?? "not read" };
  const result = message.result;
  const error = message.error as { code: number; message: string } | undefined;
  return {
    kind: message.kind,
    id: message.id,
    error: error ? { code: error.code, message: error.message } : undefined,
    verdict: judgeResponse("c2s", result, error),
    facts: serverFacts("tools/call", result),
    requestState: isObject(result) ? result.requestState : undefined,
  };
}

function fullRead(line: string) {
  const parsed = classifyValue(JSON.parse(line));
  return envelope(parsed.kind === "message" ? parsed.message : null);
}

/** Real responses: an SDK server's answers, as the SDK client's transport received them. */
const sdkLines: string[] = [];
beforeAll(async () => {
  const server = new McpServer({ name: "big", version: "1.0.0" });
  server.registerTool("big", { inputSchema: { bytes: z.number() } }, async ({ bytes }) => ({
    content: [{ type: "text", text: awkwardText(bytes) }],
    structuredContent: { rows: Array.from({ length: 50 }, (_, i) => ({ i, note: awkwardText(40) })) },
  }));
  server.registerTool("fails", { inputSchema: { bytes: z.number() } }, async ({ bytes }) => ({
    content: [
      { type: "image", data: "aGVsbG8h".repeat(Math.ceil(bytes / 8)), mimeType: "image/png" },
      { type: "text", text: awkwardText(bytes) },
    ],
    isError: true,
  }));
  const lines = await sdkResponseLines(server, async (client) => {
    for (const bytes of [100, 80_000, 300_000]) {
      await client.callTool({ name: "big", arguments: { bytes } });
      await client.callTool({ name: "fails", arguments: { bytes } });
    }
    await client.callTool({ name: "missing", arguments: {} }).catch(() => {});
    await client.callTool({ name: "big", arguments: { bytes: "x" } }).catch(() => {});
    await client.listTools();
    // No prompts on this server: a JSON-RPC error (method not found).
    await client.request({ method: "prompts/list" }, ListPromptsResultSchema).catch(() => {});
  });
  sdkLines.push(...lines);
});

const huge = awkwardText(200_000);
/** Shapes a server may send that the SDK does not: ids after the payload, errors with data, oddities. */
const shapes: Record<string, string> = {
  "id after a huge result": `{"result":{"content":[{"type":"text","text":${JSON.stringify(huge)}}]},"jsonrpc":"2.0","id":42}`,
  "string id with escapes": `{"jsonrpc":"2.0","id":"a\\"b\\\\c\\u00e9","result":{"blob":${JSON.stringify(huge)}}}`,
  "float id": `{"jsonrpc":"2.0","id":1.5e2,"result":{"blob":${JSON.stringify(huge)}}}`,
  "id too large to be finite": `{"jsonrpc":"2.0","id":1e400,"result":{"blob":${JSON.stringify(huge)}}}`,
  "repeated id (the last wins)": `{"jsonrpc":"2.0","id":1,"result":{"blob":${JSON.stringify(huge)}},"id":2}`,
  "whitespace everywhere": ` \t{ "jsonrpc" :\t"2.0" ,\r"id" : 7 , "result" : { "isError" : true , "content" : [ { "type" : "text" , "text" : ${JSON.stringify(huge)} } ] } }\r `,
  "error with huge data before its code": `{"jsonrpc":"2.0","id":3,"error":{"data":{"trace":${JSON.stringify(huge)}},"code":-32001,"message":"upstream \\"failed\\""}}`,
  "client error with huge data": `{"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"bad","data":[${JSON.stringify(huge)}]}}`,
  "error that is not an object": `{"jsonrpc":"2.0","id":5,"error":"nope","result":{"blob":${JSON.stringify(huge)}}}`,
  "error without code or message": `{"jsonrpc":"2.0","id":6,"error":{"data":${JSON.stringify(huge)}}}`,
  "tool error whose text block is not the first": `{"jsonrpc":"2.0","id":8,"result":{"content":[{"type":"image","data":${JSON.stringify(huge)}},{"type":"text","text":7},{"type":"text","text":${JSON.stringify(huge)}}],"isError":true}}`,
  "tool error with short text after huge blocks": `{"jsonrpc":"2.0","id":9,"result":{"isError":true,"content":[{"type":"resource","text":${JSON.stringify(huge)}},{"type":"text","text":"short \\"reason\\""}]}}`,
  "isError that is not true": `{"jsonrpc":"2.0","id":10,"result":{"isError":"true","content":[{"type":"text","text":${JSON.stringify(huge)}}]}}`,
  "input_required after a huge payload": `{"jsonrpc":"2.0","id":11,"result":{"content":[{"type":"text","text":${JSON.stringify(huge)}}],"resultType":"input_required","requestState":"st\\"ate"}}`,
  "server info in _meta after a huge payload": `{"jsonrpc":"2.0","id":12,"result":{"blob":${JSON.stringify(huge)},"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"s","version":"1"}}}}`,
  "a huge array as result": `{"jsonrpc":"2.0","id":13,"result":[${JSON.stringify(huge)},1,true,null,{"isError":true}]}`,
  "a huge string as result": `{"jsonrpc":"2.0","id":14,"result":${JSON.stringify(huge)}}`,
  "deeply nested result": `{"jsonrpc":"2.0","id":15,"result":{"a":${"[".repeat(5000)}${JSON.stringify(huge)}${"]".repeat(5000)}}}`,
  "null id": `{"jsonrpc":"2.0","id":null,"result":{"blob":${JSON.stringify(huge)}}}`,
};

/** Lines the in-place read must leave to the full parse (which then says what is wrong, or what it is). */
const notForInPlace: Record<string, string> = {
  "a request": `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"blob":${JSON.stringify(huge)}}}`,
  "a notification": `{"jsonrpc":"2.0","method":"notifications/message","params":{"data":${JSON.stringify(huge)}}}`,
  "a batch": `[{"jsonrpc":"2.0","id":1,"result":{"blob":${JSON.stringify(huge)}}}]`,
  "not JSON-RPC 2.0": `{"jsonrpc":"1.0","id":1,"result":{"blob":${JSON.stringify(huge)}}}`,
  "neither result nor error": `{"jsonrpc":"2.0","id":1,"blob":${JSON.stringify(huge)}}`,
  "cut short": `{"jsonrpc":"2.0","id":1,"result":{"blob":${JSON.stringify(huge)}}`,
  "trailing garbage": `{"jsonrpc":"2.0","id":1,"result":{"blob":${JSON.stringify(huge)}}} x`,
  "a trailing comma": `{"jsonrpc":"2.0","id":1,"result":{"blob":${JSON.stringify(huge)},}}`,
  "a bad number": `{"jsonrpc":"2.0","id":01,"result":{"blob":${JSON.stringify(huge)}}}`,
  "a bad escape in a short string": `{"jsonrpc":"2.0","id":1,"result":{"a":"\\x","blob":${JSON.stringify(huge)}}}`,
  "a control character in a short string": `{"jsonrpc":"2.0","id":1,"result":{"a":"\u0001","blob":${JSON.stringify(huge)}}}`,
  "an unquoted key": `{"jsonrpc":"2.0",id:1,"result":{"blob":${JSON.stringify(huge)}}}`,
  "a byte-order mark": `\ufeff{"jsonrpc":"2.0","id":1,"result":{"blob":${JSON.stringify(huge)}}}`,
  "a huge error message": `{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":${JSON.stringify(huge)}}}`,
  "a huge requestState": `{"jsonrpc":"2.0","id":1,"result":{"requestState":${JSON.stringify(huge)}}}`,
};

describe("reading a long response in place", () => {
  it("gives what the full parse gives for every field the observer reads, over real SDK responses", () => {
    expect(sdkLines.length).toBeGreaterThanOrEqual(9);
    expect(sdkLines.some((line) => line.includes('"isError":true') && line.length > 300_000)).toBe(true);
    expect(sdkLines.some((line) => line.includes('"error":{"code":-32601'))).toBe(true);
    // The SDK writes `id` after `result`: the in-place read has to find it past the payload.
    expect(sdkLines.every((line) => line.indexOf('"id"') > line.indexOf('"result"'))).toBe(true);
    for (const line of sdkLines) {
      expect(envelope(readLargeResponse(Buffer.from(line))?.message ?? null), line.slice(0, 80)).toEqual(
        fullRead(line),
      );
    }
  });

  it.each(Object.entries(shapes))("gives what the full parse gives: %s", (_name, line) => {
    const read = readLargeResponse(Buffer.from(line));
    expect(read).not.toBeNull();
    expect(envelope(read?.message ?? null)).toEqual(fullRead(line));
  });

  it("outcomes stay right whatever the size: ok, tool error, client and server errors", () => {
    const outcome = (name: string) =>
      envelope(readLargeResponse(Buffer.from(shapes[name] ?? ""))?.message ?? null);
    expect(outcome("id after a huge result")).toMatchObject({ id: 42, verdict: { outcome: "ok" } });
    expect(outcome("whitespace everywhere").verdict?.outcome).toBe("tool_error");
    expect(outcome("whitespace everywhere").verdict?.errorMessage).toBe(`${huge.slice(0, 500)}…`);
    expect(outcome("error with huge data before its code").verdict).toMatchObject({
      outcome: "server_error",
      errorCode: -32001,
    });
    expect(outcome("client error with huge data").verdict?.outcome).toBe("client_error");
    expect(outcome("input_required after a huge payload").verdict?.outcome).toBeNull();
  });

  it.each(Object.entries(notForInPlace))("leaves it to the full parse: %s", (_name, line) => {
    expect(readLargeResponse(Buffer.from(line))).toBeNull();
  });

  it("leaves invalid UTF-8 to the full parse", () => {
    const line = Buffer.from(`{"jsonrpc":"2.0","id":1,"result":{"blob":"${huge}\xff"}}`, "latin1");
    expect(readLargeResponse(line)).toBeNull();
  });
});

/** `part` is what a prefix of the text of `whole` parses to: strings cut, containers missing their tail. */
function isPrefixOf(part: unknown, whole: unknown): boolean {
  if (typeof part === "string") return typeof whole === "string" && whole.startsWith(part);
  if (Array.isArray(part)) {
    if (!Array.isArray(whole) || part.length > whole.length) return false;
    return part.every((item, i) =>
      i === part.length - 1 ? isPrefixOf(item, whole[i]) : JSON.stringify(item) === JSON.stringify(whole[i]),
    );
  }
  if (isObject(part)) {
    if (!isObject(whole)) return false;
    const keys = Object.keys(part);
    const wholeKeys = Object.keys(whole);
    return keys.every((key, i) =>
      wholeKeys[i] !== key
        ? false
        : i === keys.length - 1
          ? isPrefixOf(part[key], whole[key])
          : JSON.stringify(part[key]) === JSON.stringify(whole[key]),
    );
  }
  return part === whole;
}

describe("the value kept of a message's first bytes", () => {
  const small = `{"jsonrpc":"2.0","id":"x\\"1","result":{"content":[{"type":"text","text":"a\\"b\\\\c\\u00e9\\ud83d\\ude00 naïve 🙂 [}{]"},{"n":-12.5e+3,"t":true,"f":false,"z":null,"e":{},"a":[]}],"isError":false}}`;

  it("is a valid prefix of the whole at every cut, through escapes, multi-byte characters and nesting", () => {
    const bytes = Buffer.from(small);
    const whole = JSON.parse(small);
    for (let cut = 1; cut <= bytes.length; cut++) {
      const text = closedPrefix(bytes, cut);
      expect(text, `cut at ${cut}`).not.toBeNull();
      const part = JSON.parse(text ?? "");
      expect(isPrefixOf(part, whole), `cut at ${cut}: ${text}`).toBe(true);
    }
    expect(closedPrefix(bytes, bytes.length)).toBe(small);
  });

  it("stores the same text as the full parse would, cut at the capture limit", () => {
    const LIMIT = 64 * 1024;
    // A repeated key is left out: the full parse prints it where it first appears, with its last value.
    const { "repeated id (the last wins)": _repeated, ...distinct } = shapes;
    for (const [name, line] of [
      ...sdkLines.filter((l) => l.length > 80_000).map((l, i) => [`sdk ${i}`, l]),
      ...Object.entries(distinct),
    ]) {
      const read = readLargeResponse(Buffer.from(line ?? ""));
      const kept = capturePayload(read?.kept(LIMIT), LIMIT) ?? "";
      const full = capturePayload(JSON.parse(line ?? ""), LIMIT) ?? "";
      expect(kept, name).toMatch(/…\[truncated \d+ bytes\]$/);
      const same =
        kept.replace(/…\[truncated \d+ bytes\]$/, "") === full.replace(/…\[truncated \d+ bytes\]$/, "");
      expect(same, name).toBe(true);
    }
  });
});
