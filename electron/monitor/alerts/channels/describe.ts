/** Where a channel delivers, for the UI: enough to recognise it, never a credential. */
import { maskText } from "../../discovery/mask-config.js";
import { shownCommandLine, visibleText } from "../../discovery/shown-command.js";
import type { ChannelConfig } from "./config.js";

export function describeTarget(config: ChannelConfig): string {
  // A command line is masked as a server's is: `--api-key VALUE` hides VALUE.
  if (config.type === "command") return shownCommandLine(config.command, config.args);
  return visibleText(maskText(unmaskedTarget(config)));
}

function unmaskedTarget(config: Exclude<ChannelConfig, { type: "command" }>): string {
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
  }
}
