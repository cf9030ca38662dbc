/**
 * Email over SMTP with nodemailer: the title as subject, each alert in the text body. A transport per
 * send, closed after it: notifications are rare, and a pooled connection would go stale between them.
 */
import type { NodemailerError } from "nodemailer";
import type { AlertNotification, Channel, DeliveryOutcome } from "./channel.js";
import type { EmailConfig } from "./config.js";
import { alertDetails, bodyLines, truncate } from "./format.js";

export function emailText(notification: AlertNotification): string {
  const body = notification.report ? bodyLines(notification) : notification.alerts.map(alertDetails);
  return [notification.title, "", ...body, "", "Sent by mcpscope"].join("\n");
}

export function createEmailChannel(config: EmailConfig): Channel {
  return {
    name: config.name,
    type: "email",
    send: (notification, signal) => sendEmail(config, notification, signal),
  };
}

async function sendEmail(
  config: EmailConfig,
  notification: AlertNotification,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  const server = `${config.host}:${config.port}`;
  // Loaded on the first send, not with the engine: nodemailer's modules, and the undici its ES import of
  // node:http brings, cost every start of `mcpscope serve` and of the app, most of which never send mail.
  const { createTransport } = await import("nodemailer");
  const timeout = AbortSignal.timeout(config.timeout);
  const transport = createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    // With starttls (the default) the connection is encrypted or nothing is sent: a server that does not
    // offer STARTTLS (or a man in the middle that strips it) never sees the login or the message in clear.
    requireTLS: config.starttls && !config.secure,
    ignoreTLS: !config.starttls,
    auth: config.username !== undefined ? { user: config.username, pass: config.password ?? "" } : undefined,
    tls: { rejectUnauthorized: config.tls_reject_unauthorized },
    connectionTimeout: config.timeout,
    greetingTimeout: config.timeout,
    socketTimeout: config.timeout,
    // The message is our own text; nothing in it may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    const info = await transport.sendMail({
      from: config.from,
      to: config.to,
      subject: notification.title.replace(/\s+/g, " "),
      text: emailText(notification),
      // A scheduled report: its HTML as the body (the text stays for clients that show only text), its PDF attached.
      html: notification.report?.html,
      attachments: notification.report?.pdfBase64
        ? [
            {
              filename: notification.report.fileName,
              content: notification.report.pdfBase64,
              encoding: "base64",
              contentType: "application/pdf",
            },
          ]
        : undefined,
      signal: AbortSignal.any([signal, timeout]),
    });
    if (info.rejected.length > 0) {
      // Retrying would send the others a second copy; say which addresses are wrong instead.
      const error = `${server} rejected ${info.rejected.join(", ")} (delivered to the other recipients)`;
      return { ok: false, permanent: true, status: null, error: truncate(error, 300) };
    }
    return { ok: true, status: replyCode(info.response) };
  } catch (error) {
    if (signal.aborted)
      return { ok: false, permanent: false, status: null, error: `cancelled sending to ${server}` };
    // nodemailer's own connection/greeting/socket timers and our signal race for the same deadline; either
    // way the server did not answer in time, and the outcome says so the same way.
    if (timeout.aborted || (error as NodemailerError).code === "ETIMEDOUT") {
      return {
        ok: false,
        permanent: false,
        status: null,
        error: `no answer from ${server} within ${config.timeout} ms`,
      };
    }
    return smtpFailure(error as NodemailerError, server);
  } finally {
    transport.close();
  }
}

/** Codes that say the config is wrong, whatever the server: retrying cannot help. */
const CONFIG_ERRORS = new Set(["EAUTH", "ENOAUTH", "ECONFIG", "EENVELOPE", "EREQUIRETLS"]);

/**
 * A 5xx reply (a failed login, 535; a refused recipient, 550/553) is final, except 503 (a bad command
 * sequence, which a fresh connection fixes); a 4xx reply, a lost connection or a timeout is worth a retry.
 */
export function smtpFailure(error: NodemailerError, server: string): DeliveryOutcome {
  const status = typeof error.responseCode === "number" ? error.responseCode : null;
  if (error.command === "STARTTLS" && status !== null && status >= 500) {
    // The server (or something between) will not encrypt: retrying cannot change that, and sending
    // anyway would give the login and the alert to anyone on the way. A 4xx (454: TLS not available for
    // a temporary reason) is retried as any transient refusal; nothing is sent in clear meanwhile.
    const error = `${server} does not offer STARTTLS, so nothing was sent in clear; use a server that does, secure: true for implicit TLS, or starttls: false for a plain relay`;
    return { ok: false, permanent: true, status, error };
  }
  if (status !== null) {
    const permanent = error.permanent ?? (status >= 500 && status !== 503);
    const reply = firstLine(error.response ?? String(status));
    const what = error.code === "EAUTH" ? "login refused" : `${error.command ?? "SMTP"} refused`;
    return { ok: false, permanent, status, error: `${server} ${what}: ${reply}` };
  }
  const code = error.code ?? "";
  if (CONFIG_ERRORS.has(code)) {
    return { ok: false, permanent: true, status: null, error: `${server}: ${firstLine(error.message)}` };
  }
  const reason = error.originalCode ?? (code || firstLine(error.message));
  if (code === "ETLS" || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(reason)) {
    return { ok: false, permanent: false, status: null, error: `TLS with ${server} failed: ${reason}` };
  }
  return { ok: false, permanent: false, status: null, error: `cannot send through ${server}: ${reason}` };
}

function replyCode(response: string | undefined): number | null {
  const match = /^(\d{3})\b/.exec(response ?? "");
  return match ? Number(match[1]) : null;
}

function firstLine(text: string): string {
  return truncate((text.split(/\r?\n/)[0] ?? "").trim(), 200);
}
