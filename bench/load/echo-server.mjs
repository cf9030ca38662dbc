#!/usr/bin/env node
/**
 * The load bench's MCP server: as little work per call as a stdio server can do, so that what the bench
 * measures is the hop in front of it. Reads JSON-RPC lines on stdin and answers `initialize`, `ping`,
 * `tools/list` and `tools/call` (the `echo` tool: its `message` back as text), one write per chunk read.
 * Not the SDK: at 40,000 calls a second the SDK server itself would be the bottleneck.
 */
let pending = "";
const TOOL = {
  name: "echo",
  description: "Echoes the message back",
  inputSchema: { type: "object", properties: { message: { type: "string" } } },
};

function answer(message) {
  const id = message.id;
  switch (message.method) {
    case "initialize":
      return {
        jsonrpc: "2.0",
        id,
        result: {
          protocolVersion: message.params?.protocolVersion ?? "2025-06-18",
          capabilities: { tools: {} },
          serverInfo: { name: "load-echo", version: "1.0.0" },
        },
      };
    case "ping":
      return { jsonrpc: "2.0", id, result: {} };
    case "tools/list":
      return { jsonrpc: "2.0", id, result: { tools: [TOOL] } };
    case "tools/call":
      return {
        jsonrpc: "2.0",
        id,
        result: { content: [{ type: "text", text: String(message.params?.arguments?.message ?? "") }] },
      };
    default:
      return { jsonrpc: "2.0", id, error: { code: -32601, message: "Method not found" } };
  }
}

process.stdin.on("data", (chunk) => {
  const lines = (pending + chunk.toString("utf8")).split("\n");
  pending = lines.pop() ?? "";
  let out = "";
  for (const line of lines) {
    if (!line) continue;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      continue;
    }
    if (message.id === undefined || typeof message.method !== "string") continue;
    out += `${JSON.stringify(answer(message))}\n`;
  }
  if (out) process.stdout.write(out);
});
process.stdin.on("end", () => process.exit(0));
