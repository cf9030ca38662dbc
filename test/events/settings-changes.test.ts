/**
 * Every settings.json change is recorded with what changed and who changed it: a change the app made
 * (the Storage view's save, API storage.settings.put) as actor `app`, one the CLI made (another process)
 * as the user, as the CLI's other writes are, a hand edit as `file`, and an edit made while no engine ran
 * when the next engine starts, before its retention passes use the new values.
 */
import { writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { iterateAudit } from "../../electron/monitor/audit/audit-log.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { mcpscope, tempDir, waitFor } from "../helpers/mcp.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function start(dataDir: string): Promise<Engine> {
  const engine = await createEngine({ dataDir, inventory: false, alerts: false, remoteProxies: false });
  cleanups.push(() => engine.close());
  return engine;
}

type Change = { key: string; from: unknown; to: unknown };

/** The settings_change records, waiting until there are `count`. */
async function settingsRecords(dataDir: string, count: number) {
  return waitFor(() => {
    const db = openDb(databasePath(dataDir), { readOnly: true });
    try {
      const found = [...iterateAudit(db)].filter((r) => r.action === "settings_change");
      return found.length >= count
        ? found.map((r) => ({ actor: r.actor, changed: JSON.parse(String(r.details)).changed as Change[] }))
        : undefined;
    } finally {
      db.close();
    }
  });
}

async function settingsEvents(engine: Engine, count: number): Promise<string[]> {
  return waitFor(async () => {
    const found = (await engine.invoke("events.list", { type: "settings.changed" })) as { message: string }[];
    return found.length >= count ? found.map((e) => e.message) : undefined;
  });
}

describe("settings changes in the events and the audit trail", () => {
  it("records an edit made while no engine ran when the next engine starts", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    await (await start(dir.path)).close();
    cleanups.pop();
    await writeFile(
      join(dir.path, "settings.json"),
      JSON.stringify({ events: { retention: { audit: "1m", security: "1m" } } }),
    );
    const engine = await start(dir.path);
    const [message] = await settingsEvents(engine, 1);
    expect(message).toBe(
      "settings.json created while no engine ran: events.retention.audit (unset) → 1m, events.retention.security (unset) → 1m",
    );
    const [record] = await settingsRecords(dir.path, 1);
    expect(record).toEqual({
      actor: "file",
      changed: [
        { key: "events.retention.audit", from: null, to: "1m" },
        { key: "events.retention.security", from: null, to: "1m" },
      ],
    });
  });

  it("says what the app changed and what a hand edit changed, secrets masked", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const engine = await start(dir.path);
    const put = (await engine.invoke("storage.settings.put", { key: "audit", value: "400d" })) as {
      ok: boolean;
    };
    expect(put.ok).toBe(true);
    const [byApp] = await settingsRecords(dir.path, 1);
    expect(byApp).toEqual({
      actor: "app",
      changed: [{ key: "storage.retention.audit", from: null, to: "400d" }],
    });
    expect((await settingsEvents(engine, 1))[0]).toBe(
      "settings.json created by the app: storage.retention.audit (unset) → 400d",
    );

    const password = "HandEditPw-7h8j9k2m";
    await writeFile(
      join(dir.path, "settings.json"),
      JSON.stringify({ storage: { retention: { audit: "1d" } }, smtp: { password } }),
    );
    const [, byHand] = await settingsRecords(dir.path, 2);
    expect(byHand?.actor).toBe("file");
    expect(byHand?.changed[0]).toEqual({
      key: "smtp.password",
      from: null,
      to: expect.stringMatching(/^\[masked/),
    });
    expect(byHand?.changed[1]).toEqual({ key: "storage.retention.audit", from: "400d", to: "1d" });
    const messages = await settingsEvents(engine, 2);
    expect(messages.join("\n")).not.toContain(password);
    expect(JSON.stringify(byHand)).not.toContain(password);
  });

  it("records a change the CLI made as the user's, with an engine running and while none ran", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const user = userInfo().username;
    const schedule = (name: string) =>
      mcpscope([
        ...["report", "schedule", "add", name, "--period", "day", "--at", "08:00"],
        ...["--folder", join(dir.path, "reports"), "--data-dir", dir.path],
      ]);
    const engine = await start(dir.path);
    await schedule("daily");
    const [byCli] = await settingsRecords(dir.path, 1);
    expect(byCli?.actor).toBe(user);
    expect((await settingsEvents(engine, 1))[0]).toMatch(
      new RegExp(`^settings\\.json created by ${user} \\(the CLI\\): reports\\.schedules`),
    );

    await engine.close();
    cleanups.pop();
    await schedule("nightly");
    const next = await start(dir.path);
    const [, whileNone] = await settingsRecords(dir.path, 2);
    expect(whileNone?.actor).toBe(user);
    expect((await settingsEvents(next, 2))[0]).toMatch(
      new RegExp(
        `^settings\\.json changed by ${user} \\(the CLI\\) while no engine ran: reports\\.schedules`,
      ),
    );
  });
});
