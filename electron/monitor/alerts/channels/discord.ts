/**
 * A Discord webhook: the title as `content`, an embed per alert coloured by state. Within Discord's limits:
 * 10 embeds and 6000 characters across them, title 256, description 4096, 25 fields of 256/1024.
 */
import type { AlertSeverityName } from "../../../../shared/alerts.js";
import type { AlertNotification, Channel, NotifiedAlert } from "./channel.js";
import type { DiscordConfig } from "./config.js";
import { alertHeadline, bodyLines, truncate, valueText } from "./format.js";
import { postJson } from "./http-post.js";

export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  embedsTotal: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
} as const;

export const DISCORD_COLORS: Record<AlertSeverityName | "resolved", number> = {
  critical: 0xed4245,
  warning: 0xe67e22,
  info: 0x3498db,
  resolved: 0x57f287,
};

interface DiscordField {
  name: string;
  value: string;
  inline: boolean;
}

export interface DiscordEmbed {
  title: string;
  description: string;
  color: number;
  fields: DiscordField[];
  timestamp: string;
}

export interface DiscordMessage {
  content: string;
  embeds: DiscordEmbed[];
  /** No pings, whatever a summary or label says (`@everyone`). */
  allowed_mentions: { parse: never[] };
}

export function discordMessage(notification: AlertNotification): DiscordMessage {
  if (notification.report) {
    const embed: DiscordEmbed = {
      title: truncate(notification.title, DISCORD_LIMITS.title),
      description: truncate(bodyLines(notification).join("\n"), DISCORD_LIMITS.description),
      color: DISCORD_COLORS.info,
      fields: [],
      timestamp: notification.createdAt,
    };
    return {
      content: truncate(notification.title, DISCORD_LIMITS.content),
      embeds: [embed],
      allowed_mentions: { parse: [] },
    };
  }
  const embeds: DiscordEmbed[] = [];
  let budget: number = DISCORD_LIMITS.embedsTotal;
  for (const alert of notification.alerts.slice(0, DISCORD_LIMITS.embeds)) {
    const embed = fitEmbed(alertEmbed(alert), budget);
    if (!embed) break;
    budget -= embedSize(embed);
    embeds.push(embed);
  }
  const total = notification.alerts.length;
  const note = embeds.length < total ? ` (showing ${embeds.length} of ${total} alerts)` : "";
  const content = `${truncate(notification.title, DISCORD_LIMITS.content - note.length)}${note}`;
  return { content, embeds, allowed_mentions: { parse: [] } };
}

/**
 * The embed cut to what is left of the 6000 characters all embeds share: the title whole, fields while
 * they fit beside the start of the description, then the description cut to the rest. Null if no room.
 */
function fitEmbed(embed: DiscordEmbed, budget: number): DiscordEmbed | null {
  let room = budget - embed.title.length;
  const descriptionRoom = Math.min(embed.description.length, 200);
  if (room < descriptionRoom) return null;
  const fields: DiscordField[] = [];
  for (const field of embed.fields) {
    const size = field.name.length + field.value.length;
    if (size > room - descriptionRoom) break;
    fields.push(field);
    room -= size;
  }
  return { ...embed, fields, description: truncate(embed.description, room) };
}

function embedSize(embed: DiscordEmbed): number {
  const fields = embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  return embed.title.length + embed.description.length + fields;
}

function alertEmbed(alert: NotifiedAlert): DiscordEmbed {
  const fields = Object.entries(alert.labels).map(([name, value]) => field(name, value));
  if (alert.value !== null) fields.push(field("value", valueText(alert)));
  return {
    title: truncate(`${alertHeadline(alert)}: ${alert.rule}`, DISCORD_LIMITS.title),
    description: truncate(alert.summary || "(no summary)", DISCORD_LIMITS.description),
    color: DISCORD_COLORS[alert.status === "resolved" ? "resolved" : alert.severity],
    fields: fields.slice(0, DISCORD_LIMITS.fields),
    timestamp: alert.endsAt ?? alert.startsAt,
  };
}

/** Discord refuses empty field names and values. */
function field(name: string, value: string): DiscordField {
  return {
    name: truncate(name || "-", DISCORD_LIMITS.fieldName),
    value: truncate(value || "-", DISCORD_LIMITS.fieldValue),
    inline: true,
  };
}

export function createDiscordChannel(config: DiscordConfig): Channel {
  return {
    name: config.name,
    type: "discord",
    send(notification, signal) {
      const body = JSON.stringify(discordMessage(notification));
      return postJson({ url: config.url, body, timeoutMs: config.timeout, signal });
    },
  };
}
