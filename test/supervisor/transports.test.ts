/** Transport details: headers on remote requests in each era; the stdio transport's stderr lines and exit. */
import { describe, expect, it } from "vitest";
import { ChildProcessTransport } from "../../electron/monitor/supervisor/child-transport.js";
import type { ProtocolEra } from "../../electron/monitor/supervisor/era-transport.js";
import { headerFetch } from "../../electron/monitor/supervisor/transports.js";

describe("remote request headers", () => {
  it("sends the configured headers, and in the stateless era Mcp-Method and Mcp-Name", async () => {
    const seen: Headers[] = [];
    let era: ProtocolEra = "session";
    const fetch = headerFetch(
      { Authorization: "Bearer t0ken-abc" },
      () => era,
      async (_url, init) => {
        seen.push(new Headers(init?.headers));
        return new Response("{}");
      },
    );
    const call = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "get_weather" } };
    await fetch("http://x/mcp", { method: "POST", body: JSON.stringify(call), headers: { Accept: "a" } });
    era = "stateless";
    await fetch("http://x/mcp", { method: "POST", body: JSON.stringify(call) });
    await fetch("http://x/mcp", {
      method: "POST",
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "resources/read", params: { uri: "file:///ü" } }),
    });
    expect(seen.map((h) => [h.get("authorization"), h.get("mcp-method"), h.get("mcp-name")])).toEqual([
      ["Bearer t0ken-abc", null, null],
      ["Bearer t0ken-abc", "tools/call", "get_weather"],
      // Not plain ASCII: left out rather than sent wrong.
      ["Bearer t0ken-abc", "resources/read", null],
    ]);
    expect(seen[0]?.get("accept")).toBe("a");
  });
});

describe("the stdio transport", () => {
  it("hands over stderr line by line (a very long one cut), and the exit code", async () => {
    const lines: string[] = [];
    const transport = new ChildProcessTransport({
      command: process.execPath,
      args: [
        "-e",
        "process.stderr.write('one\\r\\ntwo\\n' + 'x'.repeat(40000) + '\\nlast'); process.exit(4)",
      ],
      env: { PATH: process.env.PATH ?? "" },
      maxStderrLine: 1000,
    });
    transport.onstderr = (line) => lines.push(line);
    const exited = new Promise((resolve) => {
      transport.onexit = resolve;
    });
    const closed = new Promise<void>((resolve) => {
      transport.onclose = resolve;
    });
    await transport.start();
    expect(transport.pid).toBeGreaterThan(0);
    expect(await exited).toEqual({ code: 4, signal: null });
    await closed;
    expect(lines[0]).toBe("one");
    expect(lines[1]).toBe("two");
    expect(lines[2]).toMatch(/^x{1024}…\[truncated 38976 bytes\]$/);
    expect(lines[3]).toBe("last");
    await expect(transport.send({ jsonrpc: "2.0", method: "ping", id: 1 })).rejects.toThrow(
      "the server process is not running",
    );
  });
});
