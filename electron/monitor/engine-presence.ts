/**
 * Whether an engine (the app's, or `mcpscope serve`) is running on a data dir. Each running engine keeps
 * a small file in `<dataDir>/engines/`; the CLI, which only reads the store, uses them to say when nothing
 * is evaluating alert rules, and `restore` to refuse replacing a database an engine has open. A file left
 * by an engine that died does not count as running; it says that engine never closed the database. The
 * file names the engine as wrappers name themselves (pid and start ticks), so a pid another process got
 * since (after a reboot or a wrap) is not that engine.
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { ownStartTicks } from "./process-start.js";
import { wrapperAlive } from "./store/lost-sessions.js";
import { SCHEMA_VERSION } from "./store/migrations.js";
import { ensurePrivateDir, writePrivateFileSync } from "./store/private-files.js";

export interface EnginePresence {
  pid: number;
  /** The engine's start ticks (process-start.ts); null where there are none, absent in older files. */
  startTicks?: number | null;
  startedAt: string;
  /** This engine evaluates alert rules. */
  alerts: boolean;
  /**
   * This engine applies the alert edits the CLI asks of it (alerts/engine-requests.ts): REQUESTS_PROTOCOL,
   * absent in files of engines from before, which never read a request.
   */
  requests?: number;
  /**
   * This engine runs servers only while it holds the supervision lease (supervisor/supervision-lease.ts):
   * SUPERVISION_PROTOCOL, absent in files of engines from before, which run them whatever other engines do.
   */
  supervision?: number;
  /**
   * The schema version of the database this engine reads and writes (store/migrations.ts), absent in files
   * of engines from before: a command about to upgrade the database refuses while one of an older schema
   * has it open (store/before-upgrade.ts).
   */
  schema?: number;
}

/**
 * The version of the CLI's requests an engine of this build applies, written in its presence file and
 * its evaluation lease: 1 acknowledgements and the pause, 2 silences too (FORWARDED_SINCE in
 * alerts/engine-requests.ts).
 */
export const REQUESTS_PROTOCOL = 2;

/** Written by every engine that shares the servers through the supervision lease. */
export const SUPERVISION_PROTOCOL = 1;

function folder(dataDir: string): string {
  return join(dataDir, "engines");
}

/** Marks an engine as running; the returned function unmarks it (on close). Fails open. */
export function markEngineRunning(
  dataDir: string,
  presence: Omit<EnginePresence, "pid" | "startTicks" | "requests" | "supervision" | "schema">,
): () => void {
  const file = join(folder(dataDir), `${process.pid}-${randomUUID().slice(0, 8)}.json`);
  try {
    ensurePrivateDir(folder(dataDir));
    writePrivateFileSync(
      file,
      JSON.stringify({
        pid: process.pid,
        startTicks: ownStartTicks(),
        ...presence,
        requests: presence.alerts ? REQUESTS_PROTOCOL : undefined,
        supervision: SUPERVISION_PROTOCOL,
        schema: SCHEMA_VERSION,
      }),
    );
  } catch {
    return () => {};
  }
  return () => rmSync(file, { force: true });
}

/** The engines running on this data dir now. */
export function runningEngines(dataDir: string): EnginePresence[] {
  return presenceFiles(dataDir)
    .filter((f) => f.alive)
    .map((f) => f.presence);
}

/**
 * A running engine of another process from an mcpscope before the supervision lease: it runs the servers
 * started in it and restarts those a crashed engine left, whatever other engines do. Engines that know
 * the lease but wrote no `supervision` marker yet say so otherwise: by `requests` (written by every
 * engine since soon after the lease, when it evaluates alerts), or by holding the lease (`holdsLease`,
 * for one that evaluates none).
 */
export function olderSupervisor(
  dataDir: string,
  holdsLease: (pid: number) => boolean = () => false,
): EnginePresence | undefined {
  return runningEngines(dataDir).find(
    (e) =>
      e.pid !== process.pid && e.supervision === undefined && e.requests === undefined && !holdsLease(e.pid),
  );
}

/**
 * A running engine of another process whose mcpscope knows a schema older than `schema`: its file says an
 * older one, or none (every engine from before the field). An upgrade to `schema` would change the
 * tables under it while it goes on writing them as it knows them.
 */
export function olderSchemaEngine(dataDir: string, schema: number): EnginePresence | undefined {
  return runningEngines(dataDir).find(
    (e) => e.pid !== process.pid && (typeof e.schema !== "number" || e.schema < schema),
  );
}

/**
 * Files left by engines whose process is gone: each is an engine that never closed, so the database was
 * not closed cleanly (the next start checks it, then removes them). An unreadable file a minute old (an
 * empty one left by a full disk before presence files were written whole) counts as one too.
 */
export function deadEngineFiles(dataDir: string): string[] {
  return presenceFiles(dataDir)
    .filter((f) => !f.alive)
    .map((f) => f.file);
}

/** The event a starting engine records for each engine before it that ended without closing. */
export const ENGINE_CRASHED_EVENT = "engine.crashed";

/** The pid a presence file's name starts with (`<pid>-<random>.json`); 0 if it names none. */
export function presencePid(file: string): number {
  const pid = Number(/^(\d+)-/.exec(basename(file))?.[1]);
  return Number.isSafeInteger(pid) ? pid : 0;
}

const UNREADABLE_AFTER_MS = 60_000;

function presenceFiles(
  dataDir: string,
  now = Date.now(),
): Array<{ file: string; presence: EnginePresence; alive: boolean }> {
  let names: string[];
  try {
    names = readdirSync(folder(dataDir)).filter((name) => name.endsWith(".json"));
  } catch {
    return [];
  }
  const found: Array<{ file: string; presence: EnginePresence; alive: boolean }> = [];
  for (const name of names) {
    const file = join(folder(dataDir), name);
    try {
      const presence = JSON.parse(readFileSync(file, "utf8")) as EnginePresence;
      found.push({ file, presence, alive: engineAlive(presence) });
    } catch {
      const age = now - (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? now);
      if (age > UNREADABLE_AFTER_MS)
        found.push({ file, presence: { pid: 0, startedAt: "", alerts: false }, alive: false });
    }
  }
  return found;
}

/** Whether the engine that wrote a presence file still runs: the wrappers' liveness rule. */
function engineAlive(presence: EnginePresence): boolean {
  const startedAt = Date.parse(presence.startedAt);
  return wrapperAlive({
    pid: presence.pid,
    startTicks: typeof presence.startTicks === "number" ? presence.startTicks : null,
    startedAt: Number.isFinite(startedAt) ? startedAt : Number.POSITIVE_INFINITY,
  });
}
