/**
 * Scheduled reports over a real SQLite store on a virtual clock: a schedule runs at its local time and
 * not before, writes its files owner-only; one missed while the app was closed runs once at the next
 * start; a copy to an email channel that the SMTP server refuses at first is retried through the alert
 * outbox and arrives with the HTML body and the PDF attached; a webhook gets the summary and the JSON.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadAlertConfig } from "../../electron/monitor/alerts/loaded-config.js";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import { lastDue, nextDue } from "../../electron/monitor/reports/schedule-time.js";
import { ReportScheduler } from "../../electron/monitor/reports/scheduler.js";
import type { Db } from "../../electron/monitor/store/db.js";
import type { ReportScheduleInput } from "../../shared/report-schedules.js";
import { harness, openStore, VirtualClock, writeAlerts } from "../alerts/alert-fixtures.js";
import { startReceiver } from "../alerts/channels-fixtures.js";
import { tempDir } from "../helpers/mcp.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Local times, so the test holds in any time zone. */
const local = (y: number, m: number, d: number, h: number, min = 0) =>
  new Date(y, m - 1, d, h, min).getTime();
/**
 * Tomorrow at a local hour, for tests that go through the outbox: it times attempts and backoffs on the
 * wall clock, so the virtual one must stay near it.
 */
const tomorrow = (h: number) => {
  const d = new Date(Date.now() + DAY);
  return local(d.getFullYear(), d.getMonth() + 1, d.getDate(), h);
};

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
const closers: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await tempDir();
  db = openStore(dir.path);
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  db.close();
  await dir.cleanup();
});

function scheduler(clock: VirtualClock, warnings: string[] = []) {
  return new ReportScheduler({
    dataDir: dir.path,
    db,
    now: clock.now,
    build: {},
    channelType: (name) => loadAlertConfig(dir.path).config.channels.find((c) => c.name === name)?.type,
    warn: (problem) => warnings.push(problem),
  });
}

const daily = (extra: Partial<ReportScheduleInput> = {}): ReportScheduleInput => ({
  name: "daily",
  period: "day",
  at: "08:00",
  formats: ["json", "md"],
  ...extra,
});

describe("schedule times", () => {
  it("finds the local day, weekday and day of month", () => {
    const now = local(2026, 12, 9, 12); // a Wednesday
    expect(nextDue({ period: "day", at: "08:00" }, now)).toBe(local(2026, 12, 10, 8));
    expect(lastDue({ period: "day", at: "08:00" }, now)).toBe(local(2026, 12, 9, 8));
    expect(nextDue({ period: "week", at: "08:00", weekday: "mon" }, now)).toBe(local(2026, 12, 14, 8));
    expect(lastDue({ period: "week", at: "08:00", weekday: "mon" }, now)).toBe(local(2026, 12, 7, 8));
    expect(nextDue({ period: "week", at: "13:00", weekday: "wed" }, now)).toBe(local(2026, 12, 9, 13));
    expect(nextDue({ period: "month", at: "06:30", dayOfMonth: 1 }, now)).toBe(local(2027, 1, 1, 6, 30));
    expect(lastDue({ period: "month", at: "06:30", dayOfMonth: 28 }, now)).toBe(local(2026, 11, 28, 6, 30));
  });
});

describe("scheduled reports", () => {
  it("runs at its local time, not before, and writes owner-only files to its folder", async () => {
    const clock = new VirtualClock(local(2026, 12, 7, 7, 59));
    const s = scheduler(clock);
    const folder = join(dir.path, "out");
    await s.put(daily({ folder }));
    expect(s.list().schedules[0]?.nextRunAt).toBe(new Date(local(2026, 12, 7, 8)).toISOString());
    expect(await s.tick()).toBe(0);
    clock.t = local(2026, 12, 7, 8);
    expect(await s.tick()).toBe(1);
    expect(await s.tick(clock.t + 30_000)).toBe(0);

    const [run] = s.runs({});
    expect(run).toMatchObject({ schedule: "daily", outcome: "delivered", formats: ["json", "md"] });
    expect(run?.until).toBe(new Date(local(2026, 12, 7, 8)).toISOString());
    expect(Date.parse(run?.until ?? "") - Date.parse(run?.since ?? "")).toBe(DAY);
    expect(run?.destinations.map((d) => d.kind)).toEqual(["folder", "folder"]);
    const jsonPath = run?.destinations[0]?.target ?? "";
    expect(jsonPath.startsWith(`${folder}/daily-mcpscope-report-`)).toBe(true);
    const doc = JSON.parse(readFileSync(jsonPath, "utf8")) as { until: string; summary: { calls: unknown } };
    expect(doc.until).toBe(run?.until);
    expect(doc.summary.calls).toEqual({ value: null, previous: null });
    if (process.platform !== "win32") expect(statSync(jsonPath).mode & 0o777).toBe(0o600);

    clock.t = local(2026, 12, 8, 8);
    expect(await s.tick()).toBe(1);
    expect(s.runs({ schedule: "daily" }).map((r) => r.dueAt)).toEqual([
      new Date(local(2026, 12, 8, 8)).toISOString(),
      new Date(local(2026, 12, 7, 8)).toISOString(),
    ]);
  });

  it("tiles time: a monthly run covers the calendar month, a daily one the 25 h of a DST change", async () => {
    const zone = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      const periods = async (input: ReportScheduleInput, dues: number[]) => {
        const clock = new VirtualClock((dues[0] as number) - 60_000);
        const s = scheduler(clock);
        await s.put(input);
        for (const due of dues) {
          clock.t = due;
          expect(await s.tick()).toBe(1);
        }
        return s
          .runs({ schedule: input.name })
          .reverse()
          .map((r) => [r.since, r.until]);
      };
      const at = (y: number, m: number, d: number, h: number) => new Date(local(y, m, d, h)).toISOString();
      // October has 31 days: its run starts where September's ended, on Oct 1, not 30 days back.
      expect(
        await periods(
          {
            name: "monthly",
            period: "month",
            dayOfMonth: 1,
            at: "08:00",
            formats: ["json"],
            folder: dir.path,
          },
          [local(2026, 10, 1, 8), local(2026, 11, 1, 8)],
        ),
      ).toEqual([
        [at(2026, 9, 1, 8), at(2026, 10, 1, 8)],
        [at(2026, 10, 1, 8), at(2026, 11, 1, 8)],
      ]);
      // Clocks go back on Nov 1 2026 in New York: that day is 25 hours long, and its run covers them all.
      const nightly = await periods(daily({ name: "nightly", at: "02:30", folder: dir.path }), [
        new Date("2026-10-31T06:30:00Z").getTime(),
        new Date("2026-11-01T07:30:00Z").getTime(),
      ]);
      expect(nightly).toEqual([
        ["2026-10-30T06:30:00.000Z", "2026-10-31T06:30:00.000Z"],
        ["2026-10-31T06:30:00.000Z", "2026-11-01T07:30:00.000Z"],
      ]);
      const doc = JSON.parse(
        readFileSync(
          join(
            dir.path,
            readdirSync(dir.path).find((f) => f.includes("nightly") && f.endsWith("11-01.json")) ?? "",
          ),
          "utf8",
        ),
      ) as { since: string; until: string };
      expect([doc.since, doc.until]).toEqual(nightly[1]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it("runs a schedule missed while closed once at the next start, for the newest due time", async () => {
    const clock = new VirtualClock(local(2026, 12, 1, 7));
    await scheduler(clock).put(daily({ folder: join(dir.path, "out") }));
    // Closed for five days and a bit: a new engine starts.
    clock.t = local(2026, 12, 6, 12);
    const restarted = scheduler(clock);
    expect(await restarted.tick()).toBe(1);
    expect(await restarted.tick()).toBe(0);
    const runs = restarted.runs({});
    expect(runs.map((r) => r.dueAt)).toEqual([new Date(local(2026, 12, 6, 8)).toISOString()]);
  });

  it("refuses a server scope nothing knows; a run whose scope matches nothing fails, saying why", async () => {
    const clock = new VirtualClock(local(2026, 12, 7, 7));
    const s = new ReportScheduler({
      dataDir: dir.path,
      db,
      now: clock.now,
      build: {},
      configuredServers: async () => ["configured-only"],
      channelType: () => undefined,
      warn: () => {},
    });
    await expect(s.put(daily({ folder: dir.path, servers: ["nope"] }))).rejects.toThrow(
      'no server named "nope" has recorded calls; none has yet',
    );
    expect(s.list().schedules).toEqual([]);
    // Configured in a client but never run is known.
    await s.put(daily({ folder: dir.path, servers: ["configured-only"] }));
    // A scope edited by hand (or whose server has since gone) is checked at each run.
    const settings = JSON.parse(readFileSync(join(dir.path, "settings.json"), "utf8"));
    settings.reports.schedules[0].servers = ["gone"];
    writeFileSync(join(dir.path, "settings.json"), JSON.stringify(settings));
    clock.t = local(2026, 12, 7, 8);
    expect(await s.tick()).toBe(1);
    const [run] = s.runs({});
    expect(run).toMatchObject({ outcome: "failed", destinations: [] });
    expect(run?.error).toBe(
      "the report could not be made: no server in its scope (gone) has recorded anything or is configured; fix the schedule's servers",
    );
  });

  it("lets a schedule whose server is gone be disabled or kept; configs that cannot be read fail no run", async () => {
    const clock = new VirtualClock(local(2026, 12, 7, 7));
    let configured: () => Promise<string[]> = async () => ["was-configured"];
    const s = new ReportScheduler({
      dataDir: dir.path,
      db,
      now: clock.now,
      build: {},
      configuredServers: () => configured(),
      channelType: () => undefined,
      warn: () => {},
    });
    await s.put(daily({ folder: dir.path, servers: ["was-configured"] }));
    configured = async () => [];
    await s.put(daily({ folder: dir.path, servers: ["was-configured"], enabled: false }));
    expect(s.list().schedules[0]?.schedule.enabled).toBe(false);
    await s.put(daily({ folder: dir.path, servers: ["was-configured"], at: "08:00" }));
    // A name it did not have is asked about.
    await expect(s.put(daily({ folder: dir.path, servers: ["was-configured", "typo"] }))).rejects.toThrow(
      'no server named "typo"',
    );
    configured = async () => {
      throw new Error("a client config is half saved");
    };
    clock.t = local(2026, 12, 7, 8);
    expect(await s.tick()).toBe(1);
    expect(s.runs({})[0]).toMatchObject({ outcome: "delivered", error: null });
  });

  it("does not run a new schedule for a time before it existed, and names a bad one", async () => {
    const clock = new VirtualClock(local(2026, 12, 7, 9));
    const warnings: string[] = [];
    writeFileSync(
      join(dir.path, "settings.json"),
      JSON.stringify({
        metrics: {},
        reports: { schedules: [daily({ folder: dir.path }), { name: "bad", period: "year" }] },
      }),
    );
    const s = scheduler(clock, warnings);
    expect(await s.tick()).toBe(0);
    expect(warnings).toEqual([expect.stringContaining("reports.schedules[1].period")]);
    expect(s.list().schedules.map((i) => i.schedule.name)).toEqual(["daily"]);
    // Removing keeps the rest of settings.json.
    expect(await s.remove("daily")).toBe(true);
    const settings = JSON.parse(readFileSync(join(dir.path, "settings.json"), "utf8"));
    expect(settings.metrics).toEqual({});
    expect(settings.reports.schedules).toEqual([{ name: "bad", period: "year" }]);
  });

  it("retries a refused email through the outbox; it arrives with the HTML body and the PDF", async () => {
    let refusals = 1;
    const mails: ParsedMail[] = [];
    const smtp = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream).then((mail) => {
          if (refusals-- > 0) {
            const error = Object.assign(new Error("mailbox busy, try later"), { responseCode: 451 });
            return callback(error);
          }
          mails.push(mail);
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => smtp.close(() => resolve())));
    const port = (smtp.server.address() as AddressInfo).port;
    writeAlerts(
      dir.path,
      `channels:
  - { name: mail, type: email, host: 127.0.0.1, port: ${port}, starttls: false, from: mcpscope@example.com, to: [ops@example.com] }
delivery: { initial_backoff: 1s }
`,
    );
    const clock = new VirtualClock(tomorrow(7));
    const s = scheduler(clock);
    await s.put(daily({ channels: ["mail"], formats: ["pdf"] }));
    clock.t = tomorrow(8);
    expect(await s.tick()).toBe(1);

    // The alert manager's outbox delivers it, as it does alerts.
    const outbox = harness(
      dir.path,
      db,
      clock,
      new SeriesSignalSource([], 60_000, clock.t),
      {},
      {
        createChannel: undefined,
      },
    ).manager;
    closers.push(async () => outbox.close());
    await outbox.deliver(clock.t);
    let [run] = s.runs({});
    expect(run?.outcome).toBe("pending");
    expect(run?.destinations[0]).toMatchObject({ kind: "channel", target: "mail", status: "pending" });
    expect(run?.destinations[0]?.error).toContain("451");
    expect(mails).toHaveLength(0);

    // Due again after its backoff: asked for as of a minute on, not waited for.
    await outbox.deliver(Math.max(clock.t, Date.now()) + 60_000);
    [run] = s.runs({});
    expect(run).toMatchObject({ outcome: "delivered" });
    expect(run?.destinations[0]).toMatchObject({ status: "delivered", attempts: 2 });
    const delivery = outbox.deliveries({ id: run?.destinations[0]?.deliveryId ?? 0 })[0];
    expect(delivery?.kind).toBe("report");
    expect(delivery?.attempts.map((a) => a.ok)).toEqual([false, true]);

    expect(mails).toHaveLength(1);
    const mail = mails[0] as ParsedMail;
    expect(mail.subject).toMatch(/^mcpscope daily report: /);
    expect(mail.html || "").toContain("<html");
    expect(mail.text).toContain("Calls: no data");
    const pdf = mail.attachments.find((a) => a.contentType === "application/pdf");
    expect(pdf?.filename).toMatch(/^mcpscope-report-.*\.pdf$/);
    expect(pdf?.content.subarray(0, 5).toString()).toBe("%PDF-");
    // The run keeps its outcome after the delivery log's retention has pruned the row.
    db.exec("DELETE FROM alert_deliveries");
    expect(s.runs({})[0]?.destinations[0]).toMatchObject({ status: "delivered", attempts: 2 });
  });

  it("sends a webhook the summary and the report's JSON, without the HTML or PDF", async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    writeAlerts(dir.path, `channels:\n  - { name: hook, type: webhook, url: "${receiver.url}/r" }\n`);
    const clock = new VirtualClock(tomorrow(7));
    const s = scheduler(clock);
    await s.put(daily({ channels: ["hook"] }));
    clock.t = tomorrow(8);
    await s.tick();
    const outbox = harness(
      dir.path,
      db,
      clock,
      new SeriesSignalSource([], 60_000, clock.t),
      {},
      {
        createChannel: undefined,
      },
    ).manager;
    closers.push(async () => outbox.close());
    await outbox.deliver(clock.t);
    expect(receiver.requests).toHaveLength(1);
    const body = JSON.parse(receiver.requests[0]?.body ?? "{}");
    expect(body.status).toBe("report");
    expect(body.report.summary).toContain("Calls: no data");
    expect(body.report.document.until).toBe(new Date(tomorrow(8)).toISOString());
    expect(body.report.html).toBeUndefined();
    expect(body.report.pdfBase64).toBeUndefined();
    expect(s.runs({})[0]?.outcome).toBe("delivered");
  });
});
