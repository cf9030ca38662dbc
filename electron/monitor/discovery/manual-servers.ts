/**
 * Servers the user adds by hand, kept in `<dataDir>/servers.json` (mode 0600: like a client's config it
 * holds the real env and header values needed to launch). Writes are atomic: a temp file, then rename.
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { type DiscoveryWarning, TransportKindSchema } from "../../../shared/discovery.js";
import { MonitoringError } from "../errors.js";
import { ensurePrivateDir } from "../store/private-files.js";
import { parseJsonc } from "./config-text.js";
import { remoteTransport, toDiscovered } from "./entry.js";
import type { DiscoveredServer } from "./types.js";

const ManualServerSchema = z
  .object({
    name: z.string().trim().min(1),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().min(1).optional(),
    url: z.url().optional(),
    /** For a URL: `http` (streamable HTTP) or `sse`; guessed from the URL when absent. */
    transport: TransportKindSchema.optional(),
    headers: z.record(z.string(), z.string()).default({}),
  })
  .refine((s) => Boolean(s.command) !== Boolean(s.url), { message: "give either a command or a url" });

const ServersFileSchema = z.object({ version: z.literal(1), servers: z.array(ManualServerSchema) });

export type ManualServerInput = z.input<typeof ManualServerSchema>;
type ManualServer = z.output<typeof ManualServerSchema>;

export function manualServersPath(dataDir: string): string {
  return join(dataDir, "servers.json");
}

function toServer(server: ManualServer): DiscoveredServer {
  const transport = server.command
    ? "stdio"
    : (server.transport ?? remoteTransport(undefined, server.url ?? ""));
  return toDiscovered(
    {
      name: server.name,
      transport,
      command: server.command ?? null,
      args: server.args,
      env: server.env,
      cwd: server.cwd ?? null,
      url: server.url ?? null,
      headers: server.headers,
    },
    { client: "manual", scope: "manual", location: null },
  );
}

async function load(dataDir: string): Promise<ManualServer[]> {
  let text: string;
  try {
    text = await readFile(manualServersPath(dataDir), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const parsed = ServersFileSchema.safeParse(parseJsonc(text) ?? { version: 1, servers: [] });
  if (!parsed.success) throw new Error(`not a servers file: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data.servers;
}

async function save(dataDir: string, servers: ManualServer[]): Promise<void> {
  ensurePrivateDir(dataDir);
  const target = manualServersPath(dataDir);
  const temp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify({ version: 1, servers }, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw MonitoringError.storage(`could not save ${target}: ${(error as Error).message}`, error);
  }
}

export async function readManualServers(
  dataDir: string,
): Promise<{ servers: DiscoveredServer[]; warnings: DiscoveryWarning[] }> {
  try {
    return { servers: (await load(dataDir)).map(toServer), warnings: [] };
  } catch (error) {
    const message = (error as Error).message.split("\n")[0] ?? "unreadable";
    return { servers: [], warnings: [{ file: manualServersPath(dataDir), message }] };
  }
}

export async function addManualServer(dataDir: string, input: ManualServerInput): Promise<DiscoveredServer> {
  const parsed = ManualServerSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw MonitoringError.input(`invalid server: ${issue?.path.join(".") || "server"}: ${issue?.message}`);
  }
  const servers = await load(dataDir);
  if (servers.some((s) => s.name === parsed.data.name)) {
    throw MonitoringError.input(`a server named "${parsed.data.name}" was already added; remove it first`);
  }
  await save(dataDir, [...servers, parsed.data]);
  return toServer(parsed.data);
}

/** Removes a hand-added server by name or id; false when there was none. */
export async function removeManualServer(dataDir: string, nameOrId: string): Promise<boolean> {
  const servers = await load(dataDir);
  const kept = servers.filter((s) => s.name !== nameOrId && toServer(s).definition.id !== nameOrId);
  if (kept.length === servers.length) return false;
  await save(dataDir, kept);
  return true;
}
