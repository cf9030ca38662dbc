// bench/storage/crash-loop: what `kill -9` of a wrapper loses, under CPU contention. KILLS times, with
// BURNERS processes spinning on the cores: a raw client sends pings through `mcpscope run` to the fixture
// server as fast as the answers come, and the wrapper's process group is SIGKILLed at a random moment
// (0.3–1.5 s in). Then the database must pass `integrity_check`, and for every answer the client had
// received, the age it had at the kill is compared with whether its call was stored: the largest age of
// an answered-but-unstored call is the loss window that kill showed.
//
//   node build/build.mjs node && node bench/storage/crash-loop.mjs
//   KILLS=50 BURNERS=3 node bench/storage/crash-loop.mjs
//
// Exits 1 if the database fails its integrity check after any kill.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleEngine, median, mulberry32, ROOT } from "../lib.mjs";

const KILLS = Number(process.env.KILLS ?? 20);
const BURNERS = Number(process.env.BURNERS ?? 2);
const MCPSCOPE = join(ROOT, "bin", "mcpscope.js");
const SERVER = join(ROOT, "test", "fixtures", "misbehaving-server.mjs");

const work = await mkdtemp(join(tmpdir(), "mcpscope-bench-crash-"));
const burners = Array.from({ length: BURNERS }, () =>
  spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
);
let failed = false;
try {
  const lib = await bundleEngine(work, `export { openDb } from "./electron/monitor/store/db.ts";`);
  const random = mulberry32(7);
  const windows = [];
  let answered = 0;
  let lost = 0;
  for (let k = 0; k < KILLS; k++) {
    const result = await oneKill(k, 300 + random() * 1200);
    const db = lib.openDb(join(work, "data", "mcpscope.db"));
    const check = String(Object.values(db.prepare("PRAGMA integrity_check").get() ?? {})[0]);
    const stored = new Set(
      db
        .prepare("SELECT request_id FROM calls WHERE server = ?")
        .all(`crash-${k}`)
        .map((r) => String(r.request_id)),
    );
    db.close();
    if (check !== "ok") failed = true;
    let window = 0;
    for (const [id, at] of result.answers) {
      answered++;
      if (!stored.has(String(id))) {
        lost++;
        window = Math.max(window, result.killedAt - at);
      }
    }
    windows.push(window);
    console.log(
      `kill ${String(k + 1).padStart(2)}: ${result.answers.size} answered, ${result.answers.size - [...result.answers.keys()].filter((id) => stored.has(String(id))).length} not stored, oldest unstored answer ${window.toFixed(0)} ms before the kill, integrity ${check}`,
    );
  }
  console.log(
    `\n${KILLS} kills with ${BURNERS} CPU burners: ${answered} answers, ${lost} not stored; loss window median ${median(windows).toFixed(0)} ms, largest ${Math.max(...windows).toFixed(0)} ms`,
  );
} finally {
  for (const burner of burners) burner.kill("SIGKILL");
  await rm(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

/** One session killed after `afterMs`; returns when each answer arrived (performance.now()) and the kill time. */
function oneKill(k, afterMs) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        MCPSCOPE,
        "run",
        "--name",
        `crash-${k}`,
        "--data-dir",
        join(work, "data"),
        "--",
        process.execPath,
        SERVER,
      ],
      { stdio: ["pipe", "pipe", "ignore"], detached: true },
    );
    const answers = new Map();
    let next = 0;
    let buffered = "";
    let killedAt = 0;
    const send = () => {
      if (killedAt) return;
      next++;
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: next, method: "ping" })}\n`);
    };
    child.stdin.on("error", () => {});
    child.stdout.on("data", (chunk) => {
      const now = performance.now();
      buffered += chunk.toString();
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const id = /"id":(\d+)/.exec(line)?.[1];
        if (id && !killedAt) answers.set(Number(id), now);
        newline = buffered.indexOf("\n");
      }
      send();
    });
    send();
    setTimeout(() => {
      killedAt = performance.now();
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, afterMs);
    child.once("exit", () => resolve({ answers, killedAt }));
  });
}
