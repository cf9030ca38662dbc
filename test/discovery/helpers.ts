/** Fixture homes and contexts for the discovery tests. */
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DiscoveredServer, DiscoveryContext } from "../../electron/monitor/discovery/types.js";
import type { Expected } from "./expected-linux.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const LINUX_HOME = join(ROOT, "test/fixtures/homes/linux");
export const BIN = join(ROOT, "bin/mcpscope.js");

export function linuxContext(home = LINUX_HOME): DiscoveryContext {
  return { home, platform: "linux", env: {}, projectDirs: [join(home, "projects/app")] };
}

/** A writable copy of a fixture home (for watcher and error tests). */
export async function copyHome(from = LINUX_HOME): Promise<{ home: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "mcpscope-home-"));
  const home = join(dir, "home");
  await cp(from, home, { recursive: true });
  return { home, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The discovered server in the shape of the expected table. */
export function asExpected(server: DiscoveredServer, home: string): Expected {
  return withoutHints(asExpectedWithHints(server, home));
}

/** Masked values' last-four hints vary with the fixture values; the masking itself is what is compared. */
export function withoutHints<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/…[^\]"]{1,4}\]/g, "]")) as T;
}

function asExpectedWithHints(server: DiscoveredServer, home: string): Expected {
  const d = server.definition;
  const out: Expected = {
    client: d.client,
    scope: d.scope,
    name: d.name,
    transport: d.transport,
    file: relative(home, d.file ?? ""),
    at: server.location?.path ?? [],
  };
  if (d.command !== null) out.command = d.command;
  if (d.args.length > 0) out.args = d.args;
  if (Object.keys(d.env).length > 0) out.env = d.env;
  if (d.cwd !== null) out.cwd = d.cwd;
  if (d.url !== null) out.url = d.url;
  if (Object.keys(d.headers).length > 0) out.headers = d.headers;
  if (d.instrumented) out.instrumented = true;
  return out;
}
