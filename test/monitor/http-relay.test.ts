/** The HTTP proxy's byte-level parts: SSE framing, the legacy endpoint rewrite, hop-by-hop headers. */
import { describe, expect, it } from "vitest";
import { EndpointRewriter } from "../../electron/monitor/proxy-http/endpoint-rewriter.js";
import { forwardedHeaders, unreachableBody } from "../../electron/monitor/proxy-http/relay-headers.js";
import { type SseEvent, SseParser } from "../../electron/monitor/proxy-http/sse-parser.js";

function parse(chunks: string[], max?: number): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e), max);
  for (const chunk of chunks) parser.push(Buffer.from(chunk));
  parser.end();
  return events;
}

describe("SseParser", () => {
  it("frames events split anywhere, with any line ending, joining data lines", () => {
    const stream =
      'id: 7\r\nevent: message\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: comment\n\ndata:x\rdata: y\r\r';
    const whole = parse([stream]);
    expect(whole.map((e) => [e.event, e.data, e.id])).toEqual([
      ["message", '{"a":\n1}', "7"],
      ["message", "x\ny", "7"],
    ]);
    // Byte by byte (a CRLF split between chunks included) gives the same events.
    expect(parse([...stream]).map((e) => e.data)).toEqual(whole.map((e) => e.data));
  });

  it("does not dispatch an event the stream cut short", () => {
    expect(parse(["data: complete\n\ndata: cut"])).toHaveLength(1);
  });

  it("reports an event with an over-long line as oversized, and goes on", () => {
    const events = parse([`data: ${"x".repeat(100)}\n\ndata: ok\n\n`], 50);
    expect(events.map((e) => [e.oversized, e.data])).toEqual([
      [true, ""],
      [false, "ok"],
    ]);
  });
});

describe("EndpointRewriter", () => {
  const rewrite = (chunks: string[]) => {
    const r = new EndpointRewriter("http://up.example:9000", "http://127.0.0.1:7801");
    return chunks.map((c) => r.push(Buffer.from(c)).toString()).join("") + r.flush().toString();
  };

  it("points an absolute endpoint on the upstream's origin at the proxy, and nothing else", () => {
    expect(
      rewrite([
        "event: endpoint\ndata: http://up.exa",
        "mple:9000/message?sessionId=1\n\ndata: http://up.example:9000/x\n\n",
      ]),
    ).toBe(
      "event: endpoint\ndata: http://127.0.0.1:7801/message?sessionId=1\n\ndata: http://up.example:9000/x\n\n",
    );
  });

  it("leaves relative endpoints, other origins and other first events byte for byte", () => {
    for (const stream of [
      "event: endpoint\ndata: /message?sessionId=1\n\n",
      "event: endpoint\ndata: https://elsewhere.example/message\n\n",
      'event: message\ndata: {"jsonrpc":"2.0","method":"x"}\n\n',
      "data: never finished",
    ]) {
      expect(rewrite([stream])).toBe(stream);
    }
  });
});

describe("forwardedHeaders", () => {
  it("drops hop-by-hop headers and those Connection names, keeps the rest with case and repeats", () => {
    const raw = [
      "Host",
      "127.0.0.1:7801",
      "Connection",
      "keep-alive, X-Hop",
      "X-Hop",
      "1",
      "Keep-Alive",
      "timeout=5",
      "Transfer-Encoding",
      "chunked",
      "Authorization",
      "Bearer abc",
      "Mcp-Session-Id",
      "s1",
      "MCP-Protocol-Version",
      "2025-06-18",
      "Last-Event-ID",
      "42",
      "Accept",
      "application/json",
      "Accept",
      "text/event-stream",
    ];
    expect(forwardedHeaders(raw, "up.example:9000")).toEqual([
      "Host",
      "up.example:9000",
      "Authorization",
      "Bearer abc",
      "Mcp-Session-Id",
      "s1",
      "MCP-Protocol-Version",
      "2025-06-18",
      "Last-Event-ID",
      "42",
      "Accept",
      "application/json",
      "Accept",
      "text/event-stream",
    ]);
  });
});

describe("unreachableBody", () => {
  it("answers the request's id with a JSON-RPC error that names the upstream", () => {
    const body = JSON.parse(
      unreachableBody(
        Buffer.from('{"jsonrpc":"2.0","id":"a","method":"tools/list"}'),
        "http://up",
        "ECONNREFUSED",
      ).toString(),
    );
    expect(body).toEqual({
      jsonrpc: "2.0",
      id: "a",
      error: {
        code: -32000,
        message: "mcpscope proxy: the upstream http://up is unreachable (ECONNREFUSED)",
      },
    });
    expect(JSON.parse(unreachableBody(Buffer.alloc(0), "http://up", "ETIMEDOUT").toString()).id).toBeNull();
  });
});
