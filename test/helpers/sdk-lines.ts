/**
 * Real response lines for tests of the observer's readers: what an SDK server writes, as its stdio
 * transport would send it, captured over an in-memory pair while a real SDK client drives it.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** Text with everything a scanner can trip on: escaped quotes and backslashes, brackets, non-ASCII. */
export function awkwardText(bytes: number): string {
  const line = 'if (a["]}{["] === "\\\\") { say("naïve 🙂 \\u0041"); } // [x]: {y}\t\r\n';
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

/** The JSON text of every response `server` sends while `drive` uses a client connected to it. */
export async function sdkResponseLines(
  server: McpServer,
  drive: (client: Client) => Promise<void>,
): Promise<string[]> {
  const lines: string[] = [];
  const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
  const send = serverEnd.send.bind(serverEnd);
  serverEnd.send = async (message: JSONRPCMessage, options) => {
    if ("id" in message && !("method" in message)) lines.push(JSON.stringify(message));
    return send(message, options);
  };
  await server.connect(serverEnd);
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(clientEnd);
  try {
    await drive(client);
  } finally {
    await client.close();
  }
  return lines;
}
