/**
 * The masking promise, end to end: a corpus of made-up credentials (60+, 30+ kinds) goes through one real
 * `mcpscope run` session with the real SDK client, in every place a secret can travel — arguments,
 * results, errors, stderr (plain, JSON, stack traces), log notifications, tool and prompt names, methods,
 * request ids, resource URIs, clientInfo and serverInfo, the wrapped command line and env. Afterwards no
 * file of the data dir (database, WAL, SHM, logs, the audit export) holds any raw value, while the client
 * got every byte unchanged, and `secret.detected` named each kind and field.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { maskString } from "../../electron/monitor/pipeline/mask.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { CORPUS } from "../fixtures/secret-corpus.js";
import { cliOkInProcess } from "../helpers/cli-in-process.js";
import { filesUnder } from "../helpers/files.js";
import { MCPSCOPE, tempDir, waitFor } from "../helpers/mcp.js";
import { storedPayloads } from "../helpers/payloads.js";
import { readEvents } from "./helpers.js";

const SERVER = fileURLToPath(new URL("../fixtures/leaky-server.mjs", import.meta.url));
const inline = CORPUS.filter((c) => c.inline);
const texts = CORPUS.map((c) => c.text);
const find = (kind: string) => CORPUS.find((c) => c.kind === kind && c.inline) ?? CORPUS[0]!;

describe("the secret corpus through a real wrapper", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it("has at least 60 credentials of at least 30 kinds, each masked on its own", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CORPUS.map((c) => c.kind)).size).toBeGreaterThanOrEqual(30);
    for (const c of CORPUS) expect(maskString(c.text), c.kind).not.toContain(c.value);
  });

  it("stores none of them anywhere, while the client gets every byte, and reports each kind", async () => {
    const onCommandLine = [
      find("github-pat").text,
      find("url-password").text,
      "--api-key",
      find("npm-token").text,
    ];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        MCPSCOPE,
        "run",
        "--name",
        "leaky",
        "--data-dir",
        dir.path,
        "--",
        process.execPath,
        SERVER,
        ...onCommandLine,
      ],
      env: {
        ...(process.env as Record<string, string>),
        LEAKY_NAME: `leaky-${find("slack-bot-token").text}`,
        LEAKY_VERSION: find("stripe-secret-key").text,
        LEAKY_TOKEN: find("anthropic-key").text,
      },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const client = new Client({
      name: `client-${find("google-api-key").text}`,
      version: find("huggingface-token").text,
    });
    const logs: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(JSON.stringify(n.params.data));
    });
    await client.connect(transport);
    await client.setLoggingLevel("debug");

    // Arguments and results, a tool error, stderr and log notifications: every credential at once.
    const echoed = await client.callTool({ name: "echo", arguments: { texts } });
    expect((echoed.structuredContent as { texts: string[] }).texts).toEqual(texts);
    const failed = await client.callTool({ name: "fail", arguments: { texts } });
    expect(JSON.stringify(failed)).toContain(JSON.stringify(texts.join(" | ")).slice(1, -1));
    await client.callTool({ name: "leak", arguments: { texts } });

    // Names, URIs, methods and request ids: one credential each (protocol errors quote names and URIs).
    for (const c of inline) {
      expect(JSON.stringify(await client.callTool({ name: `t-${c.text}`, arguments: {} }))).toContain(
        c.value,
      );
      await expect(client.getPrompt({ name: `p-${c.text}` })).rejects.toThrow(c.text);
      await expect(
        client.readResource({ uri: `secret://store/${c.text}?password=${c.value}` }),
      ).rejects.toThrow();
    }
    // Raw requests on the SDK's own transport, for ids and methods the client API does not let us choose.
    const answers = new Map<string, JSONRPCMessage>();
    const clientHandler = transport.onmessage;
    transport.onmessage = (message) => {
      const id = (message as { id?: unknown }).id;
      if (typeof id === "string" && id.startsWith("id-")) answers.set(id, message);
      else clientHandler?.(message);
    };
    for (const c of inline)
      await transport.send({ jsonrpc: "2.0", id: `id-${c.text}`, method: `x/${c.text}` });
    await waitFor(() => answers.size === inline.length);
    for (const c of inline) expect((answers.get(`id-${c.text}`) as { id: string }).id).toBe(`id-${c.text}`);

    await waitFor(() => logs.length >= CORPUS.length && stderr.includes("env: "));
    // Every request above stored before the close (logging/setLevel, three tool calls, three requests and
    // one raw request per inline credential): the SDK's close gives the wrapper 2 s before SIGTERM, which
    // on a loaded machine a backlog can outlast.
    const requests = 4 + 4 * inline.length;
    await waitFor(() => storedCalls(dir.path) >= requests);
    await client.close();

    // Byte transparency: the client saw every raw value, in log notifications and forwarded stderr.
    for (const c of CORPUS) {
      expect(logs.join("\n"), c.kind).toContain(JSON.stringify(c.text).slice(1, -1));
      expect(stderr, c.kind).toContain(c.text);
    }
    expect(stderr).toContain(find("anthropic-key").text);

    await waitFor(() => {
      const db = openDb(databasePath(dir.path));
      try {
        return (
          Number(db.prepare("SELECT count(*) AS n FROM sessions WHERE ended_at IS NOT NULL").get()?.n) === 1
        );
      } finally {
        db.close();
      }
    });
    await cliOkInProcess([
      "audit",
      "export",
      "--data-dir",
      dir.path,
      "--output",
      join(dir.path, "audit.jsonl"),
    ]);
    await cliOkInProcess([
      "audit",
      "export",
      "--data-dir",
      dir.path,
      "--format",
      "csv",
      "--output",
      join(dir.path, "audit.csv"),
    ]);

    const files = await filesUnder(dir.path);
    expect(files.some((f) => f.endsWith("audit.jsonl"))).toBe(true);
    const stored = await Promise.all(files.map(async (file) => ({ file, bytes: await readFile(file) })));
    for (const c of CORPUS)
      for (const { file, bytes } of stored) {
        const leaked = bytes.includes(c.value) || bytes.includes(Buffer.from(c.value, "utf16le"));
        expect(leaked, `${c.kind} raw in ${file}`).toBe(false);
      }
    const payloads = storedPayloads(dir.path);
    expect(payloads.length).toBeGreaterThan(0);
    for (const c of CORPUS)
      for (const { id, column, text } of payloads)
        expect(text.includes(c.value), `${c.kind} raw in call ${id} ${column}`).toBe(false);

    // secret.detected: each kind that was masked, in each field it was found in, never the value.
    const events = readEvents(dir.path, "type = 'secret.detected'");
    const fields = new Set(events.map((e) => String(e.details?.field)));
    for (const field of [
      "arguments",
      "result",
      "error",
      "stderr",
      "log",
      "target",
      "method",
      "request_id",
      "client_info",
      "server_info",
      "command",
    ])
      expect(fields, field).toContain(field);
    const reported = new Set(events.map((e) => String(e.details?.kind)));
    const all = Buffer.concat(stored.map((s) => s.bytes)).toString("utf8");
    const masked = new Set([...all.matchAll(/\[masked:([a-z0-9-]+)(?:\]|…)/g)].map((m) => m[1] as string));
    for (const kind of masked) expect(reported, kind).toContain(kind);
    expect(reported.size).toBeGreaterThanOrEqual(30);
    for (const event of events) for (const c of CORPUS) expect(JSON.stringify(event)).not.toContain(c.value);
  }, 60_000);
});

/** Calls other than `initialize` stored so far (none while the wrapper is still creating the database). */
function storedCalls(dataDir: string): number {
  try {
    const db = openDb(databasePath(dataDir));
    try {
      return Number(db.prepare("SELECT count(*) AS n FROM calls WHERE method <> 'initialize'").get()?.n);
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}
