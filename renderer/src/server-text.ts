import type { ServerDefinition } from "../../shared/discovery.js";
import type { ServerEntry } from "../../shared/servers.js";

/** How a server is launched or reached, in one line: `npx -y pkg /dir`, or its URL. */
export function launchLine(server: ServerDefinition): string {
  if (server.transport !== "stdio") return server.url ?? "";
  return [server.command ?? "", ...server.args.map(quoteArg)].join(" ").trim();
}

function quoteArg(arg: string): string {
  return arg === "" || /[\s"'\\$`]/.test(arg) ? JSON.stringify(arg) : arg;
}

/** One line explaining the status: the last error, or when it was last checked. */
export function statusDetail(server: ServerEntry): string | null {
  const p = server.process;
  if (p?.lastError && (p.state === "crash_loop" || p.state === "failed" || p.state === "backoff")) {
    return p.lastError;
  }
  if (server.health.error) return server.health.error;
  return null;
}

/** What the search box matches against. */
export function searchText(server: ServerEntry, clientLabel: string): string {
  return [server.name, server.client, clientLabel, server.scope, server.file ?? "", launchLine(server)]
    .join("\n")
    .toLowerCase();
}
