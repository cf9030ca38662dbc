/**
 * Editing one client config entry for the inventory's actions: wrapping it to run through mcpscope (a
 * remote one pointed at the engine's proxy), and restoring it; each answered with what the user does next.
 */

import type { ActionResult } from "../../../shared/servers.js";
import { clientDisplayName } from "../discovery/clients/index.js";
import { maskText } from "../discovery/mask-config.js";
import type { DiscoveredServer } from "../discovery/types.js";
import {
  FORCING,
  ForceableRefusal,
  instrument,
  type UninstrumentResult,
  uninstrument,
} from "../instrument/instrument.js";
import { instrumentRemote } from "../instrument/instrument-remote.js";

export interface EntryEditContext {
  dataDir: string;
  /** Follows the change in the engine's remote proxies now. */
  refreshRemoteProxies?: () => Promise<void>;
  /** Scans the configs again, so the inventory shows the change. */
  rescan: () => Promise<void>;
}

export async function instrumentEntry(
  server: DiscoveredServer,
  context: EntryEditContext,
): Promise<ActionResult> {
  if (server.definition.transport !== "stdio") return instrumentRemoteEntry(server, context);
  const result = await instrument(server, {
    dataDir: context.dataDir,
    wrapperDataDir: context.dataDir,
  });
  await context.rescan();
  if (result.status === "already-instrumented")
    return { ok: true, message: `${result.server} was already instrumented` };
  const done =
    result.status === "marked"
      ? `${result.server} in ${result.file} was instrumented by an earlier mcpscope; its calls now count for this entry only`
      : result.status === "repaired"
        ? `${result.server} in ${result.file} now runs this mcpscope (the one it ran, ${result.gone}, is gone)`
        : `${result.server} in ${result.file} now runs through mcpscope`;
  // Made, but its backup is not listed: not a clean success, and the user needs the way back.
  // The change is made all the same: the client still needs to pick it up.
  if (result.warning)
    return { ok: false, message: `${done}, but ${result.warning}; ${pickUp(server, result.client)}` };
  const notes = result.notes.map((note) => `; ${note}`).join("");
  return { ok: true, message: `${done}; ${pickUp(server, result.client)}${notes}` };
}

/** A remote entry is pointed at the proxy the engine runs for it (proxy-http/remote-proxies.ts). */
async function instrumentRemoteEntry(
  server: DiscoveredServer,
  context: EntryEditContext,
): Promise<ActionResult> {
  const result = await instrumentRemote(server, { dataDir: context.dataDir });
  await context.refreshRemoteProxies?.();
  await context.rescan();
  if (result.status === "already-instrumented")
    return { ok: true, message: `${result.server} was already instrumented` };
  if (result.status === "marked")
    return {
      ok: true,
      message: `${result.server} was proxied by an earlier mcpscope; its calls now count for this entry only (${result.file} is unchanged)`,
    };
  const done = `${result.server} in ${result.file} now goes through mcpscope's proxy at ${maskText(result.url)}`;
  if (result.warning) return { ok: false, message: `${done}, but ${result.warning}` };
  return {
    ok: true,
    message: `${done}; ${clientDisplayName(result.client)} reaches it only while mcpscope runs; ${pickUp(server, result.client)}`,
  };
}

/** `force` restores over a changed entry, or forgets one gone from its file (as `--force` does). */
export async function uninstrumentEntry(
  server: DiscoveredServer,
  context: EntryEditContext,
  force: boolean,
): Promise<ActionResult> {
  let result: UninstrumentResult;
  try {
    result = await uninstrument(server, { dataDir: context.dataDir, force });
  } catch (error) {
    if (!(error instanceof ForceableRefusal)) throw error;
    return {
      ok: false,
      message: error.fact,
      force: FORCING[error.forcing].button,
      forcing: error.forcing,
    };
  }
  await context.refreshRemoteProxies?.();
  await context.rescan();
  const client = clientDisplayName(server.definition.client);
  if (result.status === "forgotten")
    return {
      ok: true,
      message: `${server.definition.name} is no longer in ${result.file}; mcpscope forgot it`,
    };
  const done = `${server.definition.name} restored in ${result.file}`;
  if (result.warning)
    return { ok: false, message: `${done}, but ${result.warning}; restart ${client} to pick up the change` };
  return {
    ok: true,
    message: `${done}${result.backup ? ` (backup: ${result.backup})` : ""}; restart ${client} to pick up the change`,
  };
}

/** How the client picks up an edited entry: a restart, or first enabling an entry it has switched off. */
function pickUp(server: DiscoveredServer, clientId: string): string {
  const client = clientDisplayName(clientId);
  return server.definition.disabled
    ? `it is disabled in ${client}'s config: ${client} does not launch it until you enable it there`
    : `restart ${client} to pick up the change`;
}
