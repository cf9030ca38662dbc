/**
 * The server's own name and version from its handshake, through the real wrapper and a scripted server
 * updated between sessions (as `npx -y pkg` updates one): shown with each session and call, on the server's
 * page, and the update noted once, in the session that first ran the new version.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seenServerDetail } from "../../electron/monitor/inventory/inventory-queries.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { CallDetail } from "../../shared/domain.js";
import type { EventRecord, SessionTimeline } from "../../shared/events.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir, wrappedSession } from "../helpers/mcp.js";

const SERVER = new URL("../fixtures/listing-server.mjs", import.meta.url).pathname;
const NAME = "dict";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
  for (const version of ["2.0.0", "2.1.0", "2.1.0"]) {
    await wrappedSession(
      [SERVER],
      { dataDir: dir.path, name: NAME },
      async (client) => {
        await client.callTool({ name: "echo", arguments: { text: version } });
      },
      { env: { SERVER_VERSION: version } },
    );
  }
}, 60_000);
afterAll(async () => {
  await dir.cleanup();
});

const data = () => ["--data-dir", dir.path];

describe("the server's identity", () => {
  it("is in each call and session, and the server's page shows the newest", async () => {
    const { calls } = await cliJsonInProcess<{ calls: CallDetail[] }>([
      "calls",
      ...data(),
      "--server",
      NAME,
      "--tool",
      "echo",
    ]);
    // Newest first: each call carries the version its own session's server gave.
    expect(calls.map((c) => [c.serverName, c.serverVersion])).toEqual([
      ["listing-server", "2.1.0"],
      ["listing-server", "2.1.0"],
      ["listing-server", "2.0.0"],
    ]);
    const session = calls[2]?.sessionId ?? "";
    const timeline = await cliJsonInProcess<SessionTimeline>(["session", session, ...data()]);
    expect(timeline.session).toMatchObject({ serverName: "listing-server", serverVersion: "2.0.0" });
    const text = await cliOkInProcess(["session", session, ...data()]);
    expect(text.stdout.split("\n")[0]).toMatch(
      /^session \S+ — dict, mcpscope-test 1\.0\.0, server listing-server 2\.0\.0, protocol /,
    );

    const db = openDb(databasePath(dir.path), { readOnly: true });
    try {
      expect(seenServerDetail(db, NAME)?.identity).toMatchObject({
        name: "listing-server",
        version: "2.1.0",
        session: calls[0]?.sessionId,
      });
    } finally {
      db.close();
    }
  });

  it("notes a new version once, in the session that first ran it", async () => {
    const { events } = await cliJsonInProcess<{ events: EventRecord[] }>([
      "events",
      ...data(),
      "--type",
      "server.version_changed",
    ]);
    const { calls } = await cliJsonInProcess<{ calls: CallDetail[] }>([
      "calls",
      ...data(),
      "--server",
      NAME,
      "--tool",
      "echo",
    ]);
    expect(events.map((e) => [e.category, e.severity, e.session, e.message])).toEqual([
      [
        "system",
        "info",
        calls[1]?.sessionId,
        "dict: the server went from listing-server 2.0.0 to listing-server 2.1.0",
      ],
    ]);
    expect(events[0]?.details).toMatchObject({
      serverVersion: "2.1.0",
      previousVersion: "2.0.0",
      previousSessionId: calls[2]?.sessionId,
    });
  });
});

describe("one name in two clients' configs", () => {
  it("notes a new version against the same client's entry, not the other's", async () => {
    const two = await tempDir();
    try {
      // Each client's entry runs its own version; only cursor's is then updated.
      const sessions: Array<[string, string]> = [
        ["cursor", "1.0.0"],
        ["claude-desktop", "2.0.0"],
        ["cursor", "1.1.0"],
      ];
      for (const [client, version] of sessions) {
        await wrappedSession(
          [SERVER],
          { dataDir: two.path, name: NAME, extra: ["--client", client] },
          async () => {},
          { env: { SERVER_VERSION: version } },
        );
      }
      const { events } = await cliJsonInProcess<{ events: EventRecord[] }>([
        "events",
        "--data-dir",
        two.path,
        "--type",
        "server.version_changed",
      ]);
      expect(events.map((e) => e.message)).toEqual([
        "dict: the server went from listing-server 1.0.0 to listing-server 1.1.0",
      ]);
    } finally {
      await two.cleanup();
    }
  });
});
