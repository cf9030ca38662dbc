/**
 * Channel configs as a user writes them in the alerts YAML file: snake_case keys, unknown keys are errors.
 * Durations are written as text (`10s`) and parse to milliseconds here, so a bad one is a config error
 * with the key's path rather than a failure at send time.
 */
import { z } from "zod";
import { parseDuration } from "../../time.js";

const MAX_TIMEOUT_MS = 10 * 60_000;

/** `10s` → 10000. At most 10 minutes: a channel that takes longer holds the outbox up. */
function duration(fallback: string) {
  return z
    .string()
    .transform((text, ctx) => {
      let ms: number;
      try {
        ms = parseDuration(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
      if (ms <= 0 || ms > MAX_TIMEOUT_MS) {
        ctx.addIssue({
          code: "custom",
          message: `"${text}" is out of range; use more than 0 and at most 10m`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .prefault(fallback);
}

const Name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "use 1 to 64 letters, digits, '_', '.' or '-'");
/** Credentials in a URL are never sent (fetch refuses such a URL) and would be shown wherever the URL is. */
export const URL_CREDENTIALS_PROBLEM =
  'a URL cannot hold a user name or password; send them in a header (headers: { Authorization: "Basic …" }) or sign with secret';
const HttpUrl = z
  .url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" })
  .refine((url) => !hasCredentials(url), { error: URL_CREDENTIALS_PROBLEM });

export function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== "" || parsed.password !== "";
  } catch {
    return false;
  }
}
const StringRecord = z.record(z.string(), z.string());
/** Loose on purpose (`Ops <ops@example.com>` is fine): the SMTP server is the judge of an address. */
const Address = z.string().trim().min(3).max(320).includes("@", { error: "expected an email address" });

export const WebhookConfigSchema = z
  .object({
    name: Name,
    type: z.literal("webhook"),
    url: HttpUrl,
    /** Signs each request: HMAC-SHA256 of `<timestamp>.<body>` (see webhook.ts). */
    secret: z.string().min(1).optional(),
    headers: StringRecord.optional(),
    /** Milliseconds, written as a duration. */
    timeout: duration("10s"),
  })
  .strict();

export const SlackConfigSchema = z
  .object({ name: Name, type: z.literal("slack"), url: HttpUrl, timeout: duration("10s") })
  .strict();

export const DiscordConfigSchema = z
  .object({ name: Name, type: z.literal("discord"), url: HttpUrl, timeout: duration("10s") })
  .strict();

export const EmailConfigSchema = z
  .object({
    name: Name,
    type: z.literal("email"),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).default(587),
    /** Implicit TLS from the first byte; defaults to true on port 465. */
    secure: z.boolean().optional(),
    /** Upgrade the connection with STARTTLS, or send nothing; false for a plain relay. */
    starttls: z.boolean().default(true),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    from: Address,
    to: z.union([Address, z.array(Address).min(1)]).transform((to) => (typeof to === "string" ? [to] : to)),
    timeout: duration("10s"),
    tls_reject_unauthorized: z.boolean().default(true),
  })
  .strict()
  .transform((config) => ({ ...config, secure: config.secure ?? config.port === 465 }));

export const CommandConfigSchema = z
  .object({
    name: Name,
    type: z.literal("command"),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    timeout: duration("30s"),
    env: StringRecord.optional(),
  })
  .strict();

export const ChannelConfigSchema = z.discriminatedUnion("type", [
  WebhookConfigSchema,
  SlackConfigSchema,
  DiscordConfigSchema,
  EmailConfigSchema,
  CommandConfigSchema,
]);

export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;
export type SlackConfig = z.infer<typeof SlackConfigSchema>;
export type DiscordConfig = z.infer<typeof DiscordConfigSchema>;
export type EmailConfig = z.infer<typeof EmailConfigSchema>;
export type CommandConfig = z.infer<typeof CommandConfigSchema>;
/** A parsed config: defaults filled in, `timeout` in milliseconds, email `to` always a list. */
export type ChannelConfig = z.infer<typeof ChannelConfigSchema>;
export type ChannelConfigInput = z.input<typeof ChannelConfigSchema>;

/**
 * Keys whose values are secret, to mask wherever a config is shown or logged. For a record (`headers`,
 * `env`) every value is secret. A Slack or Discord webhook URL is itself the credential.
 */
export const SECRET_KEYS: Record<ChannelConfig["type"], string[]> = {
  webhook: ["secret", "headers"],
  slack: ["url"],
  discord: ["url"],
  email: ["password"],
  command: ["env"],
};
