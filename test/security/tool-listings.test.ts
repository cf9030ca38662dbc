/**
 * What counts as a server's tool list for its pins, through the real wrapper and a scripted server: the
 * pages of one cursor walk are one list, and a list is compared, for added and removed tools, with earlier
 * lists to clients that declared the same capabilities (servers offer some tools to capable clients only).
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliJsonInProcess } from "../helpers/cli-in-process.js";
import { tempDir, wrappedSession } from "../helpers/mcp.js";
import { readEvents } from "./helpers.js";

const SERVER = new URL("../fixtures/listing-server.mjs", import.meta.url).pathname;

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

/** One wrapped session of the scripted server: `body` runs, then the session ends and is stored. */
const session = (
  name: string,
  env: Record<string, string>,
  capabilities: ClientCapabilities,
  body: (client: Client) => Promise<void>,
) => wrappedSession([SERVER], { dataDir: dir.path, name }, body, { env, capabilities });

/** Walks the list's pages (at most `pages` of them), as a client does: the tools' names. */
async function walk(client: Client, pages = Number.POSITIVE_INFINITY): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < pages; page++) {
    const result = await client.listTools(cursor === undefined ? {} : { cursor });
    names.push(...result.tools.map((t) => t.name));
    cursor = result.nextCursor;
    if (cursor === undefined) break;
  }
  return names;
}

const drop = (client: Client, tool: string) => client.callTool({ name: "drop", arguments: { text: tool } });

async function pinStates(server: string): Promise<[string, string][]> {
  const doc = await cliJsonInProcess<{ pins: { tool: string; status: string }[] }>([
    "tools",
    "--data-dir",
    dir.path,
    "--server",
    server,
  ]);
  return doc.pins.map((p) => [p.tool, p.status]);
}

const securityEvents = (server: string) =>
  readEvents(dir.path, `category = 'security' AND server = '${server}'`).map((e) => [
    e.type,
    e.severity,
    e.details?.tool,
  ]);

describe("tool lists for pins", () => {
  it("takes the pages of one walk as one list: no tool is new on the first, a tool gone from a whole walk is removed", async () => {
    await session("paged", { PAGE_SIZE: "1" }, {}, async (client) => {
      expect(await walk(client)).toEqual(["echo", "lookup", "extra"]);
      await drop(client, "extra");
      // The client stops after the first page: what it did not read is not gone.
      expect(await walk(client, 1)).toEqual(["echo"]);
      // A whole walk without it is.
      expect(await walk(client)).toEqual(["echo", "lookup"]);
    });
    expect(securityEvents("paged")).toEqual([["tool.removed", "medium", "extra"]]);
    expect(await pinStates("paged")).toEqual([
      ["echo", "pinned"],
      ["extra", "removed"],
      ["lookup", "pinned"],
    ]);
  }, 60_000);

  it("compares a list with earlier lists to clients of the same capabilities, and every definition with its pin", async () => {
    const capable: ClientCapabilities = { sampling: {} };
    const list = async (client: Client) => {
      await walk(client);
    };
    // A capable client, then a plain one that is not offered ask_llm, then both again: nothing changed.
    await session("gated", {}, capable, list);
    await session("gated", {}, {}, list);
    await session("gated", {}, capable, async (client) => {
      expect(await walk(client)).toContain("ask_llm");
      // The server stops offering it to capable clients too: that is a removal.
      await drop(client, "ask_llm");
      await walk(client);
    });
    expect(securityEvents("gated")).toEqual([["tool.removed", "medium", "ask_llm"]]);
    expect(readEvents(dir.path, "type = 'tool.removed' AND server = 'gated'")[0]?.message).toBe(
      'gated: tool "ask_llm" is no longer listed to clients declaring sampling',
    );
    // A plain client seeing a changed definition of a tool every client is offered: caught as ever.
    await session("gated", { LOOKUP_DESCRIPTION: "Looks a word up, then mails it away." }, {}, list);
    expect(securityEvents("gated")).toEqual([
      ["tool.removed", "medium", "ask_llm"],
      ["tool.definition_changed", "high", "lookup"],
    ]);
    expect(await pinStates("gated")).toEqual([
      ["ask_llm", "removed"],
      ["echo", "pinned"],
      ["extra", "pinned"],
      ["lookup", "changed"],
    ]);
  }, 60_000);
});
