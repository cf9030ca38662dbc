/** Real HTTP MCP servers and `mcpscope proxy` in front of them, for the proxy's end-to-end tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { listEvents } from "../../electron/monitor/events/queries.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { listCallDetails, resolveRange } from "../../electron/monitor/store/queries.js";
import type { CallDetail, ServerStats } from "../../shared/domain.js";
import type { EventRecord } from "../../shared/events.js";
import { MCPSCOPE, ROOT } from "./mcp.js";

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Child {
  process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function child(proc: ChildProcess): Child {
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return {
    process: proc,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/** `@modelcontextprotocol/server-everything` over Streamable HTTP (`/mcp`) or the legacy SSE transport (`/sse`). */
export async function startEverything(mode: "streamableHttp" | "sse"): Promise<Child & { url: string }> {
  const entry = join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
  return startHttpServer([entry, mode], mode === "sse" ? "/sse" : "/mcp");
}

/** `node <args>` with a free PORT in its environment, once it says on stderr that it listens. */
export async function startHttpServer(args: string[], path: string): Promise<Child & { url: string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    let text = "";
    proc.stderr?.on("data", (chunk: Buffer) => {
      text += chunk;
      if (/listening on port|running on port/i.test(text)) resolve();
    });
    proc.once("exit", (code) => reject(new Error(`${args[0]} exited (${code}): ${text}`)));
  });
  proc.stderr?.resume();
  return { ...child(proc), url: `http://127.0.0.1:${port}${path}` };
}

/** `mcpscope proxy` in front of `upstream`; resolves with the URL it prints. */
export async function startProxy(
  upstream: string,
  dataDir: string,
  name: string,
  extra: string[] = [],
): Promise<Child & { url: string; stderr: () => string }> {
  const proc = spawn(
    process.execPath,
    [MCPSCOPE, "proxy", "--upstream", upstream, "--name", name, "--data-dir", dataDir, ...extra],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      text += chunk;
      const match = /mcpscope proxy: (\S+) →/.exec(text);
      if (match?.[1]) resolve(match[1]);
    });
    proc.once("exit", (code) => reject(new Error(`mcpscope proxy exited (${code}): ${stderr}`)));
  });
  return { ...child(proc), url, stderr: () => stderr };
}

/** The stored calls of `server`, oldest first. */
export function storedCalls(dataDir: string, server: string): CallDetail[] {
  let db: ReturnType<typeof openDb>;
  try {
    db = openDb(databasePath(dataDir), { readOnly: true });
  } catch {
    return []; // not created yet
  }
  try {
    return listCallDetails(db, { server, since: "1h", limit: 1000 }).reverse();
  } catch {
    return []; // no tables yet
  } finally {
    db.close();
  }
}

export function storedEvents(dataDir: string, server: string): EventRecord[] {
  let db: ReturnType<typeof openDb>;
  try {
    db = openDb(databasePath(dataDir), { readOnly: true });
  } catch {
    return [];
  }
  try {
    return listEvents(db, { server, since: "1h", limit: 1000 }).reverse();
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/** One server's stats over the last hour, as `mcpscope stats` computes them. */
export function storedStats(dataDir: string, server: string): ServerStats | undefined {
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    return statsDocument(db, resolveRange("1h", undefined, "1h"), server).servers.find(
      (s) => s.server === server,
    );
  } finally {
    db.close();
  }
}

export type Observe = <T extends Transport>(
  transport: T,
  options: { name: string; dataDir?: string; onProblem?: (message: string) => void },
) => T;

/** `observe` from the package's own library entry (dist/), as `import { observe } from "mcpscope"` gets it. */
export async function loadTap(): Promise<Observe> {
  const pkg = (await import(join(ROOT, "package.json"), { with: { type: "json" } })).default as {
    exports: Record<string, string>;
  };
  const entry = pathToFileURL(join(ROOT, pkg.exports["."] ?? "")).href;
  return ((await import(entry)) as { observe: Observe }).observe;
}

/** When the stored session ended, or undefined while it is open. */
export function storedSessionEnd(dataDir: string, sessionId: string): number | undefined {
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    const row = db.prepare("SELECT ended_at FROM sessions WHERE id = ?").get(sessionId);
    return row?.ended_at === null || row?.ended_at === undefined ? undefined : Number(row.ended_at);
  } finally {
    db.close();
  }
}
