/**
 * A server that writes faster than its client reads: the wrapper passes back-pressure on (it pauses
 * reading the server while the client is not reading), then lets go as soon as the client reads again.
 * Every byte arrives, in order, both ways, and the server is never left blocked: it finishes while the
 * client reads, and its exit code comes back.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";

const LINES = 48;
const PAD = 160 * 1024;
const INPUT_LINES = 32;

/**
 * Writes LINES large notifications as fast as it can, saying on stderr when more than 2 MiB wait in its
 * own buffer (the pipes and the wrapper hold far less: its output is backed up), then echoes its stdin
 * and exits 3.
 */
const SERVER = `
const pad = "x".repeat(${PAD});
let said = false;
let i = 0;
function more() {
  while (i < ${LINES}) {
    const ok = process.stdout.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/x", params: { seq: i++, pad } }) + "\\n");
    if (!ok && process.stdout.writableLength > 2 * 1024 * 1024) {
      if (!said) { said = true; process.stderr.write("backed up\\n"); }
      process.stdout.once("drain", more);
      return;
    }
  }
  process.stderr.write("written\\n");
  process.stdin.pipe(process.stdout);
  process.stdin.on("end", () => process.stdout.end(() => process.exit(3)));
}
more();
`;

describe("a client slower than its server", () => {
  it("gets every byte in order, and the server is never left paused once the client reads", async () => {
    const dir = await tempDir("mcpscope-slow-client-");
    const wrapper = spawn(process.execPath, [
      MCPSCOPE,
      "run",
      "--name",
      "fast",
      "--data-dir",
      dir.path,
      "--",
      process.execPath,
      "-e",
      SERVER,
    ]);
    try {
      const exited = new Promise<number | null>((resolve) => wrapper.once("exit", (code) => resolve(code)));
      let stderr = "";
      const said = (text: string) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (stderr.includes(text)) {
              wrapper.stderr.off("data", check);
              resolve();
            }
          };
          wrapper.stderr.on("data", check);
          check();
        });
      wrapper.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const backedUp = said("backed up\n");

      // The client sends a lot before reading anything: its input waits while the server is busy.
      const input: string[] = [];
      for (let n = 0; n < INPUT_LINES; n++)
        input.push(`${JSON.stringify({ jsonrpc: "2.0", id: n, pad: "i".repeat(64 * 1024) })}\n`);
      for (const line of input) wrapper.stdin.write(line);
      wrapper.stdin.end();

      // Not reading until the server's output is backed up through the wrapper: then read slowly (one
      // chunk, then wait for the next to be pushed), then at full speed.
      await backedUp;
      const chunks: Buffer[] = [];
      wrapper.stdout.pause();
      for (let n = 0; n < 8; n++) {
        await new Promise<void>((resolve) => wrapper.stdout.once("readable", resolve));
        const chunk = wrapper.stdout.read() as Buffer | null;
        if (chunk) chunks.push(chunk);
      }
      wrapper.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
      const ended = new Promise<void>((resolve) => wrapper.stdout.once("end", resolve));
      await ended;
      expect(await exited).toBe(3);

      const lines = Buffer.concat(chunks).toString().split("\n");
      expect(lines.pop()).toBe("");
      expect(lines).toHaveLength(LINES + INPUT_LINES);
      const seqs = lines
        .slice(0, LINES)
        .map((line) => (JSON.parse(line) as { params: { seq: number } }).params.seq);
      expect(seqs).toEqual([...Array(LINES).keys()]);
      expect(lines.every((line, n) => n >= LINES || line.length > PAD)).toBe(true);
      expect(lines.slice(LINES).map((line) => `${line}\n`)).toEqual(input);
      expect(stderr).toContain("written\n");
    } finally {
      // A wrapper that left the server paused never ends: the test times out, and this ends it.
      wrapper.kill("SIGKILL");
      await dir.cleanup();
    }
  });
});
