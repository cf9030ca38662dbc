/**
 * A server launched through a shell (or `npx`, `uv run`) is stopped with what it started: a child that
 * ignores SIGTERM and its stdin closing does not outlive a probe's close or a Ctrl-C on `mcpscope check`.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ChildProcessTransport } from "../../electron/monitor/supervisor/child-transport.js";
import { MCPSCOPE, ROOT, testDir, waitFor } from "../helpers/mcp.js";

const STUBBORN = join(ROOT, "test", "fixtures", "stubborn-process.mjs");
/** `check` gives the server it stops this long after its stdin closes and after SIGTERM (1 s by default). */
const QUICK_STOP = { ...process.env, MCPSCOPE_STOP_GRACE: "200ms" };
/** The test reads a process's state from /proc: Linux only (macOS signals groups the same way). */
const proc = existsSync("/proc/self/stat");
if (!proc) console.warn("process-group.test: skipped, no /proc on this system to read process states from");

/** Alive: present and not a zombie (a killed orphan waits for init to reap it). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0))
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
});

/** A shell that runs the stubborn process as its child, and the file where that child writes its pid. */
async function shellWithStubbornChild(): Promise<{ args: string[]; pid: () => Promise<number> }> {
  const dir = await testDir();
  const pidFile = join(dir, "pid");
  const pid = async () => {
    const value = await waitFor(() => {
      try {
        return Number(readFileSync(pidFile, "utf8")) || undefined;
      } catch {
        return undefined;
      }
    });
    leftovers.push(value);
    return value;
  };
  // Not `exec`: the shell stays as the server's process, its child below it.
  return { args: ["-c", `"${process.execPath}" "${STUBBORN}" "${pidFile}"; true`], pid };
}

describe.skipIf(!proc)("a server's own children", () => {
  it("are stopped with it when its transport closes", async () => {
    const { args, pid } = await shellWithStubbornChild();
    const transport = new ChildProcessTransport({
      command: "/bin/sh",
      args,
      env: { PATH: process.env.PATH ?? "" },
      graceMs: 200,
    });
    let closed = false;
    transport.onclose = () => {
      closed = true;
    };
    await transport.start();
    const child = await pid();
    expect(alive(child)).toBe(true);
    await transport.close();
    // Its output closed: nothing holds the server's stdout any more. (The kernel closes a dying process's
    // files a moment before it shows it as gone.)
    expect(closed).toBe(true);
    await waitFor(() => !alive(child));
  });

  it("go when `mcpscope check` is interrupted, which exits 130", async () => {
    const { args, pid } = await shellWithStubbornChild();
    const dataDir = await testDir();
    const check = spawn(
      process.execPath,
      [MCPSCOPE, "check", "--data-dir", dataDir, "--timeout", "60s", "--", "/bin/sh", ...args],
      { stdio: ["ignore", "pipe", "pipe"], env: QUICK_STOP },
    );
    const exited = new Promise<number | null>((resolve) => check.once("exit", (code) => resolve(code)));
    const child = await pid();
    check.kill("SIGINT");
    expect(await exited).toBe(130);
    await waitFor(() => !alive(child));
  });

  it("go also on a second Ctrl-C, or on SIGHUP when the terminal closes", async () => {
    for (const signals of [["SIGINT", "SIGINT"], ["SIGHUP"]] as const) {
      const { args, pid } = await shellWithStubbornChild();
      const dataDir = await testDir();
      const check = spawn(
        process.execPath,
        [MCPSCOPE, "check", "--data-dir", dataDir, "--timeout", "60s", "--", "/bin/sh", ...args],
        { stdio: ["ignore", "pipe", "pipe"], env: QUICK_STOP },
      );
      const exited = new Promise<number | null>((resolve) => check.once("exit", (code) => resolve(code)));
      const child = await pid();
      for (const signal of signals) check.kill(signal);
      expect(await exited).toBe(signals[0] === "SIGHUP" ? 129 : 130);
      await waitFor(() => !alive(child));
    }
  });
});
