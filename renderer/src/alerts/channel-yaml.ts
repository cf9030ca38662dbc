/**
 * Channel YAML for the editor: a template per type for a new channel, and the starting text to edit an
 * existing one. Editing starts from the engine's masked copy of the entry; a field left as shown keeps
 * the stored value, and the engine names any secret that must be entered again.
 */
import { CHANNEL_TYPES, type ChannelInfo } from "../../../shared/alerts.js";

export type ChannelType = (typeof CHANNEL_TYPES)[number];
/** The types a user can add (desktop is built in). */
export const USER_CHANNEL_TYPES = CHANNEL_TYPES.filter((t) => t !== "desktop");

const TEMPLATES: Record<ChannelType, string> = {
  desktop: "",
  webhook: `name: my-webhook
type: webhook
url: https://example.com/hooks/mcpscope
# secret: a-shared-secret   # signs each request (HMAC-SHA256)
# headers: { Authorization: "Bearer …" }
timeout: 10s
`,
  slack: `name: slack
type: slack
url: https://hooks.slack.com/services/T000/B000/XXXX
`,
  discord: `name: discord
type: discord
url: https://discord.com/api/webhooks/000/XXXX
`,
  email: `name: email
type: email
host: smtp.example.com
port: 587
username: me@example.com
password: app-password
from: mcpscope@example.com
to: me@example.com
`,
  command: `name: notify-command
type: command
command: notify-send
args: ["mcpscope"]
timeout: 30s
`,
};

export function channelTemplate(type: ChannelType): string {
  return TEMPLATES[type];
}

const q = (text: string) => JSON.stringify(text);

/** The text to start editing an existing channel from: the engine's masked copy of its entry. */
export function channelEditYaml(channel: ChannelInfo): string {
  if (channel.yaml) return channel.yaml;
  return `name: ${q(channel.name)}\ntype: ${channel.type}\n`;
}
