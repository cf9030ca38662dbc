/**
 * An AWS secret access key a few words after its key id, or introduced by `secret` /
 * `aws_secret_access_key` in prose, written to a real wrapped server's stderr: the client still gets the
 * line byte for byte, and the key is in none of what mcpscope keeps — log records, log patterns' examples,
 * the JSON-lines log files (current and rotated), and the bytes of the database files.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogFileSink } from "../../electron/monitor/logs/log-file-sink.js";
import { LogSettingsSource } from "../../electron/monitor/logs/log-settings.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { LogRecord } from "../../shared/logs.js";
import { startRaw } from "../fixtures/raw-client.js";
import { filesUnder } from "../helpers/files.js";
import { MCPSCOPE, mcpscopeJson, tempDir } from "../helpers/mcp.js";

const FIXTURE = join(import.meta.dirname, "fixtures", "log-server.mjs");
// Made up at run time in the real shapes, so no literal here looks like a live credential.
const KEY_ID = `AKIA${"IOSFODNN7EXAMPLE"}`;
const SESSION_KEY_ID = `ASIA${"Q3ZX7W2MQ3ZX7W2M"}`;
const SECRET_40 = `wJalrXUtnFEMI/K7MDENG/${"bPxRfiCYz".repeat(3)}`.slice(0, 40);
const SECRET_38 = "wJalrXUtnFI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const SECRET_NAMED = `Zr8${"kT9qW2xZ7mNb4vLc8RpD1sFh6GjYe3Ua5Xo0q"}`.slice(0, 40);
const SECRETS = [KEY_ID, SESSION_KEY_ID, SECRET_40, SECRET_38, SECRET_NAMED];
const LINES = [
  `using api_key=sk-ant-api03-${"SECRET".repeat(4)}1234567890 and password=hunter2 and ${KEY_ID} secret ${SECRET_38}`,
  `credentials loaded: ${SESSION_KEY_ID} for role deploy, then ${SECRET_40} (expires 3600s)`,
  `aws_secret_access_key ${SECRET_NAMED}`,
];

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

describe("AWS secret keys in a wrapped server's stderr", () => {
  it("are masked in log records, patterns, log files and the database, and reach the client unchanged", async () => {
    const dataDir = dir.path;
    const logsDir = join(dataDir, "logs");
    writeFileSync(
      join(dataDir, "settings.json"),
      JSON.stringify({ logs: { files: { enabled: true, maxBytes: 300, keep: 100 } } }),
    );
    const db = openDb(databasePath(dataDir));
    const sink = new LogFileSink(db, new LogSettingsSource(dataDir));
    try {
      sink.step(); // the files start from now

      const wrapper = startRaw(process.execPath, [
        MCPSCOPE,
        "run",
        "--name",
        "aws",
        "--data-dir",
        dataDir,
        "--",
        process.execPath,
        FIXTURE,
      ]);
      for (const [i, line] of LINES.entries()) {
        const call = { name: "stderr", arguments: { text: `${line}\n` } };
        await wrapper.write(
          `${JSON.stringify({ jsonrpc: "2.0", id: i, method: "tools/call", params: call })}\n`,
        );
        await wrapper.waitForStdout(`"id":${i}`);
      }
      wrapper.end();
      const result = await wrapper.done;
      expect(result.code).toBe(0);
      // Byte transparency: what the server wrote reaches the client's stderr as it was.
      for (const line of LINES) expect(result.stderr.toString("utf8")).toContain(line);

      const { logs: records } = await mcpscopeJson<{ logs: LogRecord[] }>([
        "logs",
        "--server",
        "aws",
        "--data-dir",
        dataDir,
      ]);
      const messages = records.map((r) => r.message).join("\n");
      expect(records).toHaveLength(LINES.length);
      expect(messages).toContain("[masked:aws-access-token…MPLE] secret [masked:named-secret…EKEY]");
      expect(messages).toContain("[masked:aws-secret-access-key…");
      expect(messages).toContain("aws_secret_access_key [masked:aws-secret-access-key…");

      const patterns = await mcpscopeJson<{ patterns: Array<{ example: string }> }>([
        "logs",
        "patterns",
        "--server",
        "aws",
        "--data-dir",
        dataDir,
      ]);
      expect(patterns.patterns.length).toBeGreaterThan(0);

      while (sink.step() > 0);
      await sink.idle();
      const fileLines = readdirSync(logsDir)
        .filter((f) => f.startsWith("aws."))
        .flatMap((f) => {
          const bytes = readFileSync(join(logsDir, f));
          return (f.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8").split("\n").filter(Boolean);
        });
      expect(fileLines).toHaveLength(LINES.length);
      expect(readdirSync(logsDir).some((f) => f.endsWith(".jsonl.gz"))).toBe(true);

      const everything = [
        messages,
        JSON.stringify(patterns),
        fileLines.join("\n"),
        ...(await filesUnder(dataDir)).map((f) => readFileSync(f).toString("latin1")),
      ].join("\n");
      for (const secret of SECRETS) expect(everything, secret).not.toContain(secret);
    } finally {
      await sink.close();
      db.close();
    }
  }, 30_000);
});
