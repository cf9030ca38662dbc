/**
 * How long a server has to stop: 2 s after its stdin closes and 2 s again after SIGTERM unless the engine
 * is told otherwise (MCPSCOPE_STOP_GRACE). A real child that ignores both, on a virtual clock, so the
 * default is held to without waiting it out.
 */
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { ChildProcessTransport } from "../../electron/monitor/supervisor/child-transport.js";
import { VirtualClock } from "../../electron/monitor/supervisor/clock.js";
import {
  DEFAULT_STOP_GRACE_MS,
  STOP_GRACE_ENV,
  stopGraceFromEnv,
} from "../../electron/monitor/supervisor/stop-grace.js";
import { MCPSCOPE, testDir, waitFor } from "../helpers/mcp.js";

/** Says on stderr what it got, and stops for neither its stdin closing nor SIGTERM. */
const STUBBORN = `
process.on("SIGTERM", () => process.stderr.write("got SIGTERM\\n"));
process.stdin.on("end", () => process.stderr.write("stdin closed\\n"));
process.stdin.resume();
process.stderr.write("ready\\n");
setInterval(() => {}, 1 << 30);
`;

let transport: ChildProcessTransport | undefined;
afterEach(() => {
  transport?.kill("SIGKILL");
});

describe("the grace a server has to stop", () => {
  it("is 2 s after stdin closes, then 2 s after SIGTERM, then SIGKILL", async () => {
    expect(DEFAULT_STOP_GRACE_MS).toBe(2000);
    const clock = new VirtualClock();
    const lines: string[] = [];
    transport = new ChildProcessTransport({
      command: process.execPath,
      args: ["-e", STUBBORN],
      env: { PATH: process.env.PATH ?? "" },
      clock,
    });
    transport.onstderr = (line) => lines.push(line);
    await transport.start();
    await waitFor(() => lines.includes("ready"));

    let closed = false;
    const closing = transport.close().then(() => {
      closed = true;
    });
    await waitFor(() => lines.includes("stdin closed"));
    expect(clock.pending()).toEqual([2000]);
    clock.advance(1999);
    expect(clock.pending()).toEqual([1]);
    expect(lines).not.toContain("got SIGTERM");

    clock.advance(1);
    await waitFor(() => lines.includes("got SIGTERM"));
    expect(clock.pending()).toEqual([2000]);
    clock.advance(1999);
    expect(clock.pending()).toEqual([1]);
    expect(closed).toBe(false);
    expect(transport.exit).toBeNull();

    clock.advance(1);
    await closing;
    expect(transport.exit).toEqual({ code: null, signal: "SIGKILL" });
  });

  it("is what MCPSCOPE_STOP_GRACE says, and the default with one line when that is not a duration", () => {
    const warned: string[] = [];
    const warn = (line: string) => warned.push(line);
    expect(stopGraceFromEnv({}, warn)).toBe(DEFAULT_STOP_GRACE_MS);
    expect(stopGraceFromEnv({ [STOP_GRACE_ENV]: "500ms" }, warn)).toBe(500);
    expect(stopGraceFromEnv({ [STOP_GRACE_ENV]: " 10s " }, warn)).toBe(10_000);
    expect(warned).toEqual([]);
    expect(stopGraceFromEnv({ [STOP_GRACE_ENV]: "soon" }, warn)).toBe(DEFAULT_STOP_GRACE_MS);
    expect(warned).toEqual([
      'mcpscope: ignoring MCPSCOPE_STOP_GRACE: "soon" is not a duration; use a number and a unit, like 30s, 5m, 24h or 7d; servers get the default 2 s to stop',
    ]);
  });

  it("is read by `mcpscope check` too, for the server it checks", async () => {
    const dataDir = await testDir();
    const run = spawnSync(process.execPath, [MCPSCOPE, "check", "--data-dir", dataDir, "--", "/bin/false"], {
      env: { ...process.env, [STOP_GRACE_ENV]: "soon" },
      encoding: "utf8",
    });
    expect(run.stderr).toContain(
      'mcpscope: ignoring MCPSCOPE_STOP_GRACE: "soon" is not a duration; use a number and a unit, like 30s, 5m, 24h or 7d; the checked server gets the default 1 s to stop\n',
    );
  });
});
