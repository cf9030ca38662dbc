/**
 * Small payloads are stored without the JSON-RPC and MCP boilerplate every message repeats, and read back
 * byte for byte: messages as the TypeScript SDK and as other clients order their keys, errors, text that
 * looks like no message at all, and text that holds the control characters the codec uses (kept as it is).
 */
import { describe, expect, it } from "vitest";
import { decodePayload, encodePayload } from "../../electron/monitor/store/payload-codec.js";
import { packFragments, unpackFragments } from "../../electron/monitor/store/payload-fragments.js";

const sdkRequest = JSON.stringify({
  method: "tools/call",
  params: { name: "echo", arguments: { message: "hello" } },
  jsonrpc: "2.0",
  id: 7,
});
const sdkResponse = JSON.stringify({
  result: { content: [{ type: "text", text: "Echo: hello" }] },
  jsonrpc: "2.0",
  id: 7,
});
const plainRequest = JSON.stringify({
  jsonrpc: "2.0",
  id: "req-1",
  method: "resources/read",
  params: { uri: "file:///tmp/a.txt" },
});
const errorResponse = JSON.stringify({
  jsonrpc: "2.0",
  id: 3,
  error: { code: -32602, message: 'bad "args"' },
});
const toolError = JSON.stringify({
  jsonrpc: "2.0",
  id: 4,
  result: { content: [{ type: "text", text: "failed" }], isError: true },
});

describe("payload fragments", () => {
  it.each([
    ["an SDK request", sdkRequest],
    ["an SDK response", sdkResponse],
    ["a request with a string id", plainRequest],
    ["an error", errorResponse],
    ["a tool error", toolError],
    ["unicode and escapes", JSON.stringify({ jsonrpc: "2.0", id: 1, result: { text: 'é ✓ \u0001 \\ "q"' } })],
    ["text that is no message", 'not json {"jsonrpc":"2.0","id": at all'],
  ])("reads back %s byte for byte, and smaller", (_name, text) => {
    const stored = encodePayload(text);
    expect(decodePayload(stored)).toBe(text);
    expect(Buffer.byteLength(text)).toBeGreaterThan(
      stored instanceof Uint8Array ? stored.length : Buffer.byteLength(stored ?? ""),
    );
  });

  it("takes most of a small call's boilerplate away", () => {
    const stored = encodePayload(sdkRequest) as Uint8Array;
    expect(stored).toBeInstanceOf(Uint8Array);
    expect(stored.length).toBeLessThan(sdkRequest.length - 60);
    const response = encodePayload(sdkResponse) as Uint8Array;
    expect(response.length).toBeLessThan(sdkResponse.length - 60);
  });

  it("leaves text holding the codec's control characters as it is", () => {
    const raw = `{"jsonrpc":"2.0","id":1,"result":{"raw":"a\u0001b"}}`;
    expect(packFragments(raw)).toBeNull();
    expect(encodePayload(raw)).toBe(raw);
    expect(encodePayload("{}")).toBe("{}");
  });

  it("round-trips random mixtures of fragments and text", () => {
    const pieces = [
      '{"jsonrpc":"2.0","id":',
      '"method":"',
      '"}]}',
      '"}}',
      "abc",
      "{",
      "}",
      '"',
      ",",
      "é",
      "12",
    ];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 500; n++) {
      const text = Array.from(
        { length: 1 + Math.floor(random() * 12) },
        () => pieces[Math.floor(random() * pieces.length)],
      ).join("");
      const packed = packFragments(text);
      expect(packed === null ? text : unpackFragments(packed)).toBe(text);
    }
  });
});
