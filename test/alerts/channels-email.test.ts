/** The email channel against a real local SMTP server (smtp-server), messages parsed with mailparser. */
import { type AddressInfo, createServer } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import type { Channel } from "../../electron/monitor/alerts/channels/channel.js";
import { EmailConfigSchema } from "../../electron/monitor/alerts/channels/config.js";
import { createEmailChannel } from "../../electron/monitor/alerts/channels/email.js";
import { closedPort, sampleAlert, sampleNotification } from "./channels-fixtures.js";

interface Sink {
  port: number;
  messages: { mail: ParsedMail; to: string[]; secure: boolean; user: string | undefined }[];
  close: () => Promise<void>;
}

const sinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

async function startSink(options: SMTPServerOptions = {}): Promise<Sink> {
  const messages: Sink["messages"] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push({
            mail,
            to: session.envelope.rcptTo.map((r) => r.address),
            secure: session.secure,
            user: session.user as string | undefined,
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const sink: Sink = {
    port: (server.server.address() as AddressInfo).port,
    messages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  sinks.push(sink);
  return sink;
}

function email(port: number, extra: Record<string, unknown> = {}): Channel {
  return createEmailChannel(
    EmailConfigSchema.parse({
      name: "mail",
      type: "email",
      host: "127.0.0.1",
      port,
      from: "mcpscope@example.com",
      to: ["ops@example.com", "dev@example.com"],
      // The sink is a plain relay unless a test turns STARTTLS on.
      starttls: false,
      ...extra,
    }),
  );
}

const never = () => new AbortController().signal;

describe("email channel", () => {
  it("delivers the title as subject and every alert in the text", async () => {
    const sink = await startSink();
    const alerts = [
      sampleAlert(),
      sampleAlert({ id: "a2", status: "resolved", severity: "warning", endsAt: "2026-11-25T10:05:00.000Z" }),
    ];
    const outcome = await email(sink.port).send(sampleNotification(alerts), never());
    expect(outcome).toEqual({ ok: true, status: 250 });
    expect(sink.messages).toHaveLength(1);
    const { mail, to } = sink.messages[0]!;
    expect(to).toEqual(["ops@example.com", "dev@example.com"]);
    expect(mail.subject).toBe("[FIRING:2] tool-error-rate server=memory");
    expect(mail.from?.text).toBe("mcpscope@example.com");
    const text = mail.text ?? "";
    expect(text).toContain("FIRING critical: tool-error-rate");
    expect(text).toContain("Summary: Error rate 40% over 5m");
    expect(text).toContain("Labels:  server=memory tool=echo");
    expect(text).toContain("Started: 2026-11-25T10:00:00.000Z");
    expect(text).toContain("RESOLVED warning: tool-error-rate");
    expect(text).toContain("Ended:   2026-11-25T10:05:00.000Z");
  });

  it("upgrades with STARTTLS when the server offers it, and logs in", async () => {
    const sink = await startSink({
      disabledCommands: [],
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === "bot" && auth.password === "pw") callback(null, { user: "bot" });
        else callback(new Error("Invalid username or password"));
      },
    });
    const channel = email(sink.port, {
      username: "bot",
      password: "pw",
      starttls: true,
      tls_reject_unauthorized: false,
    });
    expect(await channel.send(sampleNotification(), never())).toMatchObject({ ok: true });
    expect(sink.messages[0]).toMatchObject({ secure: true, user: "bot" });
  });

  it("refuses the server's test certificate by default", async () => {
    const sink = await startSink({ disabledCommands: [] });
    const outcome = await email(sink.port, { starttls: true }).send(sampleNotification(), never());
    expect(outcome).toMatchObject({ ok: false, permanent: false, status: null });
    if (outcome.ok) throw new Error("expected a failure");
    expect(outcome.error).toMatch(/^TLS with 127\.0\.0\.1:\d+ failed: [A-Z_]+$/);
    expect(sink.messages).toHaveLength(0);
  });

  it("with starttls (the default), never logs in nor sends in clear to a server without STARTTLS", async () => {
    const logins: string[] = [];
    const sink = await startSink({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push(String(auth.password));
        callback(null, { user: "bot" });
      },
    });
    const channel = createEmailChannel(
      EmailConfigSchema.parse({
        name: "mail",
        type: "email",
        host: "127.0.0.1",
        port: sink.port,
        username: "bot",
        password: "plaintext-pw-4444",
        from: "mcpscope@example.com",
        to: "ops@example.com",
      }),
    );
    const outcome = await channel.send(sampleNotification(), never());
    expect(outcome).toEqual({
      ok: false,
      permanent: true,
      status: 500,
      error: `127.0.0.1:${sink.port} does not offer STARTTLS, so nothing was sent in clear; use a server that does, secure: true for implicit TLS, or starttls: false for a plain relay`,
    });
    expect(logins).toEqual([]);
    expect(sink.messages).toEqual([]);
  });

  it("retries a server that offers STARTTLS but refuses it for now (454), sending nothing in clear", async () => {
    // A real SMTP conversation over TCP: smtp-server cannot answer STARTTLS with a temporary refusal.
    const commands: string[] = [];
    const server = createServer((socket) => {
      socket.write("220 relay.test ESMTP\r\n");
      let buffered = "";
      socket.on("data", (data) => {
        buffered += data.toString();
        for (let end = buffered.indexOf("\r\n"); end !== -1; end = buffered.indexOf("\r\n")) {
          const command = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          commands.push(command.split(" ")[0]!.toUpperCase());
          if (/^EHLO/i.test(command)) socket.write("250-relay.test\r\n250 STARTTLS\r\n");
          else if (/^STARTTLS/i.test(command))
            socket.write("454 4.7.0 TLS not available due to temporary reason\r\n");
          else if (/^QUIT/i.test(command)) socket.end("221 bye\r\n");
          else socket.write("503 5.5.1 TLS first\r\n");
        }
      });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const outcome = await email(port, { starttls: true }).send(sampleNotification(), never());
      expect(outcome).toMatchObject({ ok: false, permanent: false, status: 454 });
      expect(outcome.ok ? "" : outcome.error).toContain(
        "454 4.7.0 TLS not available due to temporary reason",
      );
      expect(commands).not.toContain("MAIL");
      expect(commands).not.toContain("AUTH");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fails for good when every recipient is refused", async () => {
    const sink = await startSink({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error("No such user here"), { responseCode: 550 }));
      },
    });
    const outcome = await email(sink.port).send(sampleNotification(), never());
    expect(outcome).toMatchObject({ ok: false, permanent: true, status: 550 });
    if (outcome.ok) throw new Error("expected a failure");
    expect(outcome.error).toMatch(/^127\.0\.0\.1:\d+ RCPT TO refused: 550 No such user here$/);
  });

  it("names the refused recipients when only some are refused", async () => {
    const sink = await startSink({
      onRcptTo(address, _session, callback) {
        if (address.address === "dev@example.com")
          callback(Object.assign(new Error("Unknown"), { responseCode: 553 }));
        else callback();
      },
    });
    const outcome = await email(sink.port).send(sampleNotification(), never());
    expect(outcome).toMatchObject({ ok: false, permanent: true });
    if (outcome.ok) throw new Error("expected a failure");
    expect(outcome.error).toContain("rejected dev@example.com");
    expect(sink.messages.map((m) => m.to)).toEqual([["ops@example.com"]]);
  });

  it("fails for good when the login is refused, without saying the password", async () => {
    const sink = await startSink({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(_auth, _session, callback) {
        callback(Object.assign(new Error("Authentication failed"), { responseCode: 535 }));
      },
    });
    const outcome = await email(sink.port, { username: "bot", password: "hunter2" }).send(
      sampleNotification(),
      never(),
    );
    expect(outcome).toMatchObject({ ok: false, permanent: true, status: 535 });
    if (outcome.ok) throw new Error("expected a failure");
    expect(outcome.error).toContain("login refused: 535");
    expect(outcome.error).not.toContain("hunter2");
  });

  it("retries a temporary refusal (4xx)", async () => {
    const sink = await startSink({
      onMailFrom(_address, _session, callback) {
        callback(Object.assign(new Error("Try again later"), { responseCode: 451 }));
      },
    });
    const outcome = await email(sink.port).send(sampleNotification(), never());
    expect(outcome).toMatchObject({ ok: false, permanent: false, status: 451 });
  });

  it("retries when nothing listens", async () => {
    const port = await closedPort();
    const outcome = await email(port).send(sampleNotification(), never());
    expect(outcome).toMatchObject({ ok: false, permanent: false, status: null });
    if (outcome.ok) throw new Error("expected a failure");
    expect(outcome.error).toBe(`cannot send through 127.0.0.1:${port}: ECONNREFUSED`);
  });

  it("gives up after its timeout when the server never greets", async () => {
    const { createServer } = await import("node:net");
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      // The server never greets: only the timeout can end the send, and the outcome says it did.
      const outcome = await email(port, { timeout: "300ms" }).send(sampleNotification(), never());
      expect(outcome).toEqual({
        ok: false,
        permanent: false,
        status: null,
        error: `no answer from 127.0.0.1:${port} within 300 ms`,
      });
    } finally {
      silent.close();
    }
  });
});
