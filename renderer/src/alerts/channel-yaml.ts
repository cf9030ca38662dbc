/**
 * Channel YAML for the editor: a template per type for a new channel, and the starting text to edit an
 * existing one. The API shows a channel only as its masked target, so editing starts from what that
 * tells (host, addresses, command line); a secret written as the mask (`••••••`) keeps the stored one,
 * and whatever the target does not reveal must be entered again — the engine says which key is missing.
 */
import { CHANNEL_TYPES, type ChannelInfo } from "../../../shared/alerts.js";

export type ChannelType = (typeof CHANNEL_TYPES)[number];
/** The engine's stand-in for a stored secret. */
export const SECRET_MASK = "••••••";
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

/** Splits a command line as describeTarget quotes it (`'…'` with `'\''` for a quote). */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end === -1 ? line.length : end);
      i = end === -1 ? line.length : end;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === " ") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The text to start editing an existing channel from. */
export function channelEditYaml(channel: ChannelInfo): string {
  const head = `name: ${q(channel.name)}\ntype: ${channel.type}\n`;
  switch (channel.type) {
    case "slack":
    case "discord":
      return `${head}url: ${SECRET_MASK}   # the stored URL is kept; paste a new one to change it\n`;
    case "webhook": {
      const signed = channel.target.endsWith(" (signed)");
      const base = channel.target.replace(/ \(signed\)$/, "");
      return (
        `${head}url: ""   # was ${base}/… : enter the full URL again\n` +
        (signed ? `secret: ${SECRET_MASK}   # the stored secret is kept\n` : "") +
        "# headers: { … }   # headers are not shown: write them again if it had any\n"
      );
    }
    case "email": {
      const m = /^to (.+) via (.+):(\d+)$/.exec(channel.target);
      const to = m ? (m[1] ?? "").split(", ") : [];
      return (
        `${head}host: ${q(m?.[2] ?? "")}\nport: ${m?.[3] ?? 587}\n` +
        `# username: …   # not shown: write it again if it had one\n` +
        `password: ${SECRET_MASK}   # the stored password is kept; remove this line if it had none\n` +
        `from: ""   # not shown: enter the sender again\n` +
        `to: [${to.map(q).join(", ")}]\n`
      );
    }
    case "command": {
      const [command = "", ...args] = splitCommandLine(channel.target);
      return (
        `${head}command: ${q(command)}\nargs: [${args.map(q).join(", ")}]\n` +
        `# env: ${SECRET_MASK}   # uncomment to keep the stored environment\n`
      );
    }
    default:
      return head;
  }
}
