/** The command channel running real processes (this Node as the command). */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCommandChannel } from "../../electron/monitor/alerts/channels/command.js";
import { CommandConfigSchema } from "../../electron/monitor/alerts/channels/config.js";
import { sampleNotification } from "./channels-fixtures.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-command-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function command(script: string, extra: Record<string, unknown> = {}) {
  return createCommandChannel(
    CommandConfigSchema.parse({
      name: "cmd",
      type: "command",
      command: process.execPath,
      args: ["-e", script],
      ...extra,
    }),
  );
}

const never = () => new AbortController().signal;

describe("command channel", () => {
  it("writes the notification JSON to stdin and sets the alert environment", async () => {
    const out = join(dir, "out.json");
    const script = `
      const chunks = [];
      process.stdin.on("data", (c) => chunks.push(c));
      process.stdin.on("end", () => {
        const env = { status: process.env.MCPSCOPE_ALERT_STATUS, title: process.env.MCPSCOPE_ALERT_TITLE,
          severity: process.env.MCPSCOPE_ALERT_SEVERITY, team: process.env.TEAM, path: Boolean(process.env.PATH) };
        require("node:fs").writeFileSync(process.argv[1], JSON.stringify({ stdin: Buffer.concat(chunks).toString(), env }));
      });`;
    const notification = sampleNotification();
    const channel = command(script, { args: ["-e", script, out], env: { TEAM: "ops" } });
    expect(await channel.send(notification, never())).toEqual({ ok: true, status: 0 });
    const written = JSON.parse(await readFile(out, "utf8")) as {
      stdin: string;
      env: Record<string, unknown>;
    };
    expect(JSON.parse(written.stdin)).toEqual(notification);
    expect(written.env).toEqual({
      status: "firing",
      title: notification.title,
      severity: "critical",
      team: "ops",
      path: true,
    });
  });

  it("retries a non-zero exit, with the first stderr line as the error", async () => {
    const outcome = await command(
      `process.stderr.write("\\nboom: no route\\nsecond line\\n"); process.exit(3)`,
    ).send(sampleNotification(), never());
    expect(outcome).toEqual({ ok: false, permanent: false, status: null, error: "exit 3: boom: no route" });
  });

  it("keeps at most 4 KiB of stderr", async () => {
    const outcome = await command(`process.stderr.write("x".repeat(100000)); process.exit(1)`).send(
      sampleNotification(),
      never(),
    );
    expect(outcome).toMatchObject({ ok: false, permanent: false });
    if (outcome.ok) throw new Error("expected a failure");
    expect(outcome.error.length).toBeLessThanOrEqual(210);
    expect(outcome.error).toMatch(/^exit 1: x+…$/);
  });

  it("succeeds when the command ignores its stdin", async () => {
    expect(await command("process.exit(0)").send(sampleNotification(), never())).toEqual({
      ok: true,
      status: 0,
    });
  });

  it("fails for good when the command does not exist", async () => {
    const channel = createCommandChannel(
      CommandConfigSchema.parse({ name: "cmd", type: "command", command: join(dir, "no-such-command") }),
    );
    const outcome = await channel.send(sampleNotification(), never());
    expect(outcome).toEqual({
      ok: false,
      permanent: true,
      status: null,
      error: `command not found: ${join(dir, "no-such-command")}`,
    });
  });

  it("stops a command that outlives its timeout, and retries", async () => {
    // The command never ends: only the timeout can end the send, and the outcome says it did.
    const outcome = await command("setInterval(() => {}, 1000)", { timeout: "300ms" }).send(
      sampleNotification(),
      never(),
    );
    expect(outcome).toMatchObject({
      ok: false,
      permanent: false,
      error: expect.stringMatching(/within 300 ms/),
    });
  });

  it("stops the command when the caller aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const outcome = await command("setInterval(() => {}, 1000)").send(
      sampleNotification(),
      controller.signal,
    );
    expect(outcome).toMatchObject({
      ok: false,
      permanent: false,
      error: expect.stringMatching(/^cancelled/),
    });
  });
});
