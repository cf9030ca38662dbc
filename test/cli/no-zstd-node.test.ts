/**
 * Payloads are stored zstd-compressed where Node has it. A Node that runs node:sqlite but lacks zstd
 * (22.13, 22.14, 23 before 23.8) would read months of them as unreadable: `mcpscope` runs itself on the
 * project's own Node 24 instead, or says in one line what it needs.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { encodePayload } from "../../electron/monitor/store/payload-codec.js";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
const text = JSON.stringify({ content: [{ type: "text", text: `Echo: ${"a long answer ".repeat(200)}` }] });

/**
 * A preload that makes this Node one of `version`, without zstd, as Node had it before 22.15 (23.8 on
 * 23); with `onlyFirst`, only until mcpscope runs itself again.
 */
function asNode(version: string, onlyFirst: boolean): string {
  const file = join(dir.path, `node-${version}-${onlyFirst}.cjs`);
  writeFileSync(
    file,
    `${onlyFirst ? "if (!process.env.MCPSCOPE_REEXEC) {" : "{"}
      Object.defineProperty(process.versions, "node", { value: "${version}" });
      Object.defineProperty(process, "version", { value: "v${version}" });
      const zlib = require("node:zlib");
      for (const key of Object.keys(zlib)) if (key.startsWith("zstd")) delete zlib[key];
      require("node:module").syncBuiltinESMExports();
    }`,
  );
  return file;
}

beforeAll(async () => {
  dir = await tempDir();
  const db = openDb(databasePath(dir.path));
  try {
    const stored = encodePayload(text);
    // Written by this Node (24): zstd, the codec byte 1.
    expect((stored as Uint8Array)[0]).toBe(1);
    db.prepare(
      `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms,
         outcome, bytes_in, bytes_out, response) VALUES ('s', 'everything', 'c2s', '1', 'tools/call', 'echo', ?, 1, 'ok', 1, 1, ?)`,
    ).run(Date.now(), stored);
  } finally {
    db.close();
  }
});
afterAll(() => dir.cleanup());

describe("mcpscope on a Node without zstd", () => {
  it.each(["22.14.0", "23.7.0"])(
    "reads the zstd payloads another Node stored: on %s, from the project's own Node 24",
    (version) => {
      const preload = asNode(version, true);
      const calls = spawnSync(process.execPath, [MCPSCOPE, "calls", "--json", "--data-dir", dir.path], {
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: `--require ${preload}` },
      });
      expect(calls.stderr).toBe("");
      expect(calls.status).toBe(0);
      expect(calls.stdout).not.toContain("[not readable");
      expect(calls.stdout).toContain("a long answer a long answer");
    },
  );

  it("says in one line what it needs where there is no other Node to run on", () => {
    const preload = asNode("23.7.0", false);
    const calls = spawnSync(process.execPath, [MCPSCOPE, "calls", "--json", "--data-dir", dir.path], {
      encoding: "utf8",
      // As if already run again: the own Node lacks it too.
      env: { ...process.env, NODE_OPTIONS: `--require ${preload}`, MCPSCOPE_REEXEC: "1" },
    });
    expect(calls.status).toBe(1);
    expect(calls.stderr).toMatch(
      /^mcpscope: needs a Node with zstd \(22\.15 or newer, 23\.8 or newer on 23\) to read the payloads it stores, this is v[\d.]+ \(.+\); install a newer Node/,
    );
    expect(calls.stderr.trim().split("\n")).toHaveLength(1);
  });
});
