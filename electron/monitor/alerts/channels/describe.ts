/** Where a channel delivers, for the UI: enough to recognise it, never a credential. */
import type { ChannelConfig } from "./config.js";

export function describeTarget(config: ChannelConfig): string {
  switch (config.type) {
    case "webhook": {
      const url = new URL(config.url);
      return `${url.protocol}//${url.host}${config.secret !== undefined ? " (signed)" : ""}`;
    }
    // The whole URL is the credential: the host says enough.
    case "slack":
    case "discord":
      return new URL(config.url).host;
    case "email":
      return `to ${config.to.join(", ")} via ${config.host}:${config.port}`;
    case "command":
      return [config.command, ...config.args].map(quoteArg).join(" ");
  }
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
