#!/usr/bin/env node
/**
 * A real MCP server (the SDK, stdio) with one tool, `blob`, whose result is `bytes` bytes of source-like
 * text holding a credential near its start: what a large tool result (a file read, a dump) looks like to
 * the wrapper. The payload is built once per size, so the server's own cost stays small.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const LINE = "  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0); // x\n";
const blobs = new Map();
function blob(bytes) {
  let text = blobs.get(bytes);
  if (!text) {
    const head = 'const config = { apiKey: "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1234" };\n';
    text = (head + LINE.repeat(Math.ceil(bytes / LINE.length))).slice(0, bytes);
    blobs.set(bytes, text);
  }
  return text;
}

const server = new McpServer({ name: "blob", version: "1.0.0" });
server.registerTool(
  "blob",
  { description: "Returns `bytes` bytes of text.", inputSchema: { bytes: z.number().int().min(1) } },
  async ({ bytes }) => ({ content: [{ type: "text", text: blob(bytes) }] }),
);
await server.connect(new StdioServerTransport());
