/**
 * Secrets in tool arguments and results: reported by kind and field, never stored. The secret
 * goes through the real wrapper in an echo argument (and so comes back in the result); afterwards no file
 * of the data dir contains it.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { maskValue } from "../../electron/monitor/pipeline/mask.js";
import { openDb, type Row } from "../../electron/monitor/store/db.js";
import { decodePayload } from "../../electron/monitor/store/payload-codec.js";
import { DEFAULT_KEY, DEFAULT_PASSPHRASE, SCHEMA_LOG_LINE } from "../fixtures/secret-param-tools.mjs";
import { filesUnder } from "../helpers/files.js";
import { tempDir } from "../helpers/mcp.js";
import { storedPayloads } from "../helpers/payloads.js";
import { readEvents, runFixture } from "./helpers.js";

// Built at run time so the secret is not a literal in the repository either.
const SECRET = `ghp_${"Z9y8X7w6V5u4T3s2R1q0".repeat(2).slice(0, 36)}`;

describe("secret detection", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it("names the kinds of secret in a value without returning the secret", () => {
    const kinds = (value: unknown) => {
      const found = new Set<string>();
      maskValue(value, found);
      return [...found].sort();
    };
    expect(kinds({ message: `my token is ${SECRET}` })).toEqual(["github-pat"]);
    expect(kinds({ password: "hunter2hunter2" })).toEqual(["named-secret"]);
    expect(kinds({ message: "hello" })).toEqual([]);
    expect(JSON.stringify(maskValue({ message: SECRET }))).toBe(
      `{"message":"[masked:github-pat…${SECRET.slice(-4)}]"}`,
    );
  });

  it("raises secret.detected for an echo argument and its result; the secret is in no file afterwards", async () => {
    await runFixture(dir.path, "echoer", {}, async (client) => {
      const result = await client.callTool({ name: "echo", arguments: { message: `deploy with ${SECRET}` } });
      // The wrapper is transparent: the client still gets the secret back.
      expect(JSON.stringify(result)).toContain(SECRET);
      await client.callTool({ name: "echo", arguments: { message: "nothing to see" } });
    });
    // One event per kind and field, however many calls carried it.
    const events = readEvents(dir.path, "type = 'secret.detected'");
    expect(events.map((e) => [e.details?.field, e.details?.kind]).sort()).toEqual([
      ["arguments", "github-pat"],
      ["result", "github-pat"],
    ]);
    for (const event of events) {
      expect(event.category).toBe("security");
      expect(event.severity).toBe("medium");
      expect(event.details?.target).toBe("echo");
      expect(event.message).toContain("github-pat");
      expect(JSON.stringify(event)).not.toContain(SECRET);
    }

    const files = await filesUnder(dir.path);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = await readFile(file);
      expect(bytes.includes(SECRET), file).toBe(false);
      expect(bytes.includes(Buffer.from(SECRET, "utf16le")), file).toBe(false);
    }
    for (const { id, column, text } of storedPayloads(dir.path))
      expect(text.includes(SECRET), `call ${id} ${column}`).toBe(false);
  }, 60_000);

  it("stores tools whose parameters are named like secrets as they were sent, but for their secret defaults", async () => {
    const own = await tempDir();
    try {
      type Tool = { name: string; inputSchema: { properties: Record<string, { default?: string }> } };
      let listed: Tool[] = [];
      await runFixture(own.path, "secretparams", { SECRET_PARAMS: "1" }, async (client) => {
        listed = (await client.listTools()).tools as Tool[];
      });
      // What the client got, but for the two secrets: the api_key and passphrase parameters' defaults.
      const defaults = listed.find((tool) => tool.name === "complete")!.inputSchema.properties;
      expect([defaults.api_key?.default, defaults.passphrase?.default]).toEqual([
        DEFAULT_KEY,
        DEFAULT_PASSPHRASE,
      ]);
      defaults.api_key!.default = `[masked:sk-key…${DEFAULT_KEY.slice(-4)}]`;
      defaults.passphrase!.default = `[masked:named-secret…${DEFAULT_PASSPHRASE.slice(-4)}]`;
      const stored = storedRows(own.path, "SELECT response FROM calls WHERE method = 'tools/list'");
      expect(stored.length).toBeGreaterThan(0);
      for (const row of stored)
        expect(JSON.parse(decodePayload(row.response) ?? "").result.tools).toEqual(listed);
      // The pinned definitions keep the schemas too, and mask the same defaults.
      const pins = storedRows(own.path, "SELECT tool, definition FROM tool_pins ORDER BY tool");
      const pinned = (name: string) => JSON.parse(String(pins.find((pin) => pin.tool === name)?.definition));
      expect(pinned("login").inputSchema).toEqual(listed.find((tool) => tool.name === "login")!.inputSchema);
      expect(pinned("complete").inputSchema.properties).toEqual(defaults);
      // A schema the server logs to stderr is kept in the record's fields as well.
      const logged = storedRows(own.path, "SELECT fields FROM logs WHERE message = 'tool registered'");
      expect(logged.map((row) => JSON.parse(String(row.fields)).inputSchema)).toEqual([
        JSON.parse(SCHEMA_LOG_LINE).inputSchema,
      ]);
      // No false event for the password, token and client_secret parameters, nor for the log line.
      expect(
        readEvents(own.path, "type = 'secret.detected'")
          .map((e) => [e.details?.field, e.details?.kind])
          .sort(),
      ).toEqual([
        ["result", "named-secret"],
        ["result", "sk-key"],
      ]);
      for (const file of await filesUnder(own.path)) {
        const bytes = await readFile(file);
        for (const secret of [DEFAULT_KEY, DEFAULT_PASSPHRASE])
          expect(bytes.includes(secret), file).toBe(false);
      }
    } finally {
      await own.cleanup();
    }
  }, 60_000);
});

function storedRows(dataDir: string, sql: string): Row[] {
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}
