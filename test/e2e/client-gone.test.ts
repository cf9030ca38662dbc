/**
 * The client goes away in pieces (closes its end of our stdout or stderr before the server is done): the
 * wrapper keeps draining the server, does not crash, and still exits with the server's status.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MCPSCOPE, ROOT } from "../helpers/mcp.js";

const FIXTURE = join(ROOT, "test", "fixtures", "misbehaving-server.mjs");
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "mcpscope-gone-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const line = (value: unknown) => `${JSON.stringify(value)}\n`;

function startWrapper() {
  return spawn(
    process.execPath,
    [MCPSCOPE, "run", "--data-dir", dataDir, "--grace", "2s", "--", process.execPath, FIXTURE],
    {
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
}

function exitOf(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

describe("when the client stops reading", () => {
  it("closing our stdout early: the server still finishes, and its exit code comes back", async () => {
    const wrapper = startWrapper();
    const exited = exitOf(wrapper);
    wrapper.stdin.write(line({ cmd: "on_eof", code: 7 }));
    // The client closes its reading end, then the server writes a lot more than a pipe holds.
    wrapper.stdout.destroy();
    wrapper.stdin.write(line({ cmd: "stdout_text", text: `${"x".repeat(256 * 1024)}\n` }));
    wrapper.stdin.end();
    const timer = setTimeout(() => wrapper.kill("SIGKILL"), 15_000);
    const result = await exited;
    clearTimeout(timer);
    expect(result).toEqual({ code: 7, signal: null });
  });

  it("closing our stderr early: no crash, the server's exit code comes back", async () => {
    const wrapper = startWrapper();
    const exited = exitOf(wrapper);
    wrapper.stderr.destroy();
    wrapper.stdin.write(line({ cmd: "on_eof", code: 5 }));
    wrapper.stdin.write(line({ cmd: "stderr_text", text: `${"e".repeat(128 * 1024)}\n` }));
    wrapper.stdout.resume();
    wrapper.stdin.end();
    const timer = setTimeout(() => wrapper.kill("SIGKILL"), 15_000);
    const result = await exited;
    clearTimeout(timer);
    expect(result).toEqual({ code: 5, signal: null });
  });
});
