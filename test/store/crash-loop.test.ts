/**
 * `kill -9` of a real wrapper in the middle of a busy session, with a CPU-burning process competing for
 * the cores: after each kill the database passes `integrity_check`, and every call the client had its
 * answer for more than BOUND_MS before the kill is stored. The bound is far above what the batches need
 * (see bench/storage/crash-loop.mjs for the measured window), so a loaded machine does not make it fail,
 * while a writer that stopped committing until exit would.
 *
 * The bound runs from the wrapper's first stored call, not from the client's first answer: until its
 * observer thread is up, a wrapper relays and queues, and that start-up is the machine's pace (five
 * wrappers starting at once beside the burner and the rest of a test run took over 2 s for it once).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";

const SERVER = join(import.meta.dirname, "..", "fixtures", "misbehaving-server.mjs");
const KILLS = 5;
const BOUND_MS = 2000;

let dir: Awaited<ReturnType<typeof tempDir>>;
let burner: ChildProcess;
beforeAll(async () => {
  dir = await tempDir();
  burner = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
});
afterAll(async () => {
  burner.kill("SIGKILL");
  await dir.cleanup();
});

interface Killed {
  /** Each answered request id, with when its answer arrived (performance.now()). */
  answers: Map<number, number>;
  killedAt: number;
}

/**
 * A raw client pings through `mcpscope run` as fast as the answers come; the wrapper's process group is
 * SIGKILLed `afterFirstStoredMs` after its first call is seen in the database.
 */
function pingUntilKilled(name: string, dataDir: string, afterFirstStoredMs: number): Promise<Killed> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [MCPSCOPE, "run", "--name", name, "--data-dir", dataDir, "--", process.execPath, SERVER],
      { stdio: ["pipe", "pipe", "ignore"], detached: true },
    );
    const answers = new Map<number, number>();
    let next = 0;
    let buffered = "";
    let killedAt = 0;
    const send = () => {
      if (killedAt) return;
      next++;
      child.stdin?.write(`${JSON.stringify({ jsonrpc: "2.0", id: next, method: "ping" })}\n`);
    };
    child.stdin?.on("error", () => {});
    child.stdout?.on("data", (chunk: Buffer) => {
      const now = performance.now();
      buffered += chunk.toString();
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const id = /"id":(\d+)/.exec(buffered.slice(0, newline))?.[1];
        buffered = buffered.slice(newline + 1);
        if (id && !killedAt) {
          if (answers.size === 0)
            void firstStored(dataDir, name).then(() => setTimeout(kill, afterFirstStoredMs));
          answers.set(Number(id), now);
        }
        newline = buffered.indexOf("\n");
      }
      send();
    });
    const kill = () => {
      killedAt = performance.now();
      try {
        process.kill(-(child.pid ?? 0), "SIGKILL");
      } catch {}
    };
    send();
    child.once("exit", () => resolve({ answers, killedAt }));
  });
}

/**
 * Resolves once the wrapper named `name` has a call in the database (looked for every 25 ms), or after
 * 20 s without one: the kill then comes anyway and the check names every call it lost.
 */
async function firstStored(dataDir: string, name: string): Promise<void> {
  for (const deadline = performance.now() + 20_000; performance.now() < deadline; ) {
    try {
      const db = openDb(databasePath(dataDir), { readOnly: true });
      try {
        if (db.prepare("SELECT 1 FROM calls WHERE server = ? LIMIT 1").get(name)) return;
      } finally {
        db.close();
      }
    } catch {
      // Not created or not migrated yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("kill -9 of a wrapper under CPU load", () => {
  it("keeps the database intact and every call answered more than the bound before the kill", async () => {
    const dataDir = join(dir.path, "data");
    // The wrappers run at once on one data dir, each killed at its own moment while the others still
    // write: the same kills as one after another, in the time of one, with the others' load on top.
    const kill = async (k: number) => {
      const name = `crash-${k}`;
      // Killed 200–400 ms past the bound (a timer may fire a millisecond early, and the answers of the
      // first 200 ms must be old enough to be checked), each at a different point of a batch.
      const { answers, killedAt } = await pingUntilKilled(name, dataDir, BOUND_MS + 200 + 50 * k);
      const db = openDb(databasePath(dataDir), { readOnly: true });
      let integrity: string;
      let stored: Set<string>;
      try {
        integrity = String(Object.values(db.prepare("PRAGMA integrity_check").get() ?? {})[0]);
        stored = new Set(
          db
            .prepare("SELECT request_id FROM calls WHERE server = ?")
            .all(name)
            .map((r) => String(r.request_id)),
        );
      } finally {
        db.close();
      }
      expect(integrity, `integrity after kill ${k + 1}`).toBe("ok");
      const old = [...answers].filter(([, at]) => killedAt - at > BOUND_MS).map(([id]) => String(id));
      expect(old.length, `answers older than the bound at kill ${k + 1}`).toBeGreaterThan(0);
      expect(
        old.filter((id) => !stored.has(id)),
        `calls answered > ${BOUND_MS} ms before kill ${k + 1} but not stored`,
      ).toEqual([]);
    };
    await Promise.all(Array.from({ length: KILLS }, (_, k) => kill(k)));
  }, 60_000);
});
