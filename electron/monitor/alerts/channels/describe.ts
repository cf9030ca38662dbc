/** Where a channel delivers, for the UI: enough to recognise it, never a credential. */
import { maskText } from "../../discovery/mask-config.js";
import { shownCommandLine, visibleText } from "../../discovery/shown-command.js";
import type { ChannelConfig } from "./config.js";
import { maskStoredSecrets } from "./secrets.js";

/** `known`: the file's stored secret values, which an alias may bring into any field. */
export function describeTarget(config: ChannelConfig, known: readonly string[] = []): string {
  const hide = (text: string) => maskStoredSecrets(text, known);
  // A command line is masked as a server's is: `--api-key VALUE` hides VALUE.
  if (config.type === "command") return shownCommandLine(config.command, config.args, hide);
  return visibleText(maskText(hide(unmaskedTarget(config))));
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
