/**
 * A wrapped server that prints to its stdout (a banner, a debug line): the `protocol.invalid_json` event
 * quotes the line's start, masked and escaped, so that the user can find the stray print.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, mcpscopeJson, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

const SECRET = "sk-abcdefghijklmnopqrstuvwxyz0123456789";

/** Answers initialize; prints a banner with a key and a terminal escape before it, as some servers do. */
const SERVER = `
process.stdout.write("Server listening on stdio... \\u001b[31mtoken=${SECRET}\\n");
require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
  const m = JSON.parse(line);
  if (m.method === "initialize")
    process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: {}, serverInfo: { name: "chatty", version: "1" } } }) + "\\n");
});
`;

describe("non-JSON on a wrapped server's stdout", () => {
  it("is reported with its start quoted, masked and escaped", async () => {
    const client = await connect(["-e", SERVER], { dataDir: dir.path, name: "banner" });
    await client.close();
    const events = await waitFor(async () => {
      const { events } = await mcpscopeJson<{ events: { message: string }[] }>([
        "events",
        "--server",
        "banner",
        "--type",
        "protocol.invalid_json",
        "--data-dir",
        dir.path,
      ]);
      return events.length > 0 ? events : undefined;
    });
    const message = events[0]?.message ?? "";
    expect(message).toMatch(
      /^line is not valid JSON(?: \(at byte \d+\))?: "Server listening on stdio\.\.\. \\u001b\[31mtoken=/,
    );
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain("\u001b");
  });
});
