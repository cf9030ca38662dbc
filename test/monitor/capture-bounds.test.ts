/**
 * Work per message is bounded by what is kept: a 1 MiB tool result is stored capped at the capture limit,
 * with the credentials in the kept text masked (and reported), while the part past the cap is neither
 * stored nor scanned.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskString } from "../../electron/monitor/pipeline/mask.js";
import { SessionObserver } from "../../electron/monitor/protocol/session-observer.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { decodePayload } from "../../electron/monitor/store/payload-codec.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

const NEAR = `ghp_${"N3arTh3St4rt".repeat(3)}`;
const STRADDLING = `sk-proj-${"Str4ddl1ngTh3Cut".repeat(3)}`;
const FAR = "AKIAQWERTYUIOPASDFGH";

describe("a 1 MiB response", () => {
  it("is stored capped at 64 KiB, masked in what is kept; what lies past the cap is not scanned", () => {
    const LIMIT = 64 * 1024;
    const line = "  return items.map((item) => item.price * item.quantity); // a line of code\n";
    // A credential near the start, one straddling the cut, and one 900 KiB in.
    let text = `const auth = "${NEAR}";\n${line.repeat(Math.ceil((LIMIT - 200) / line.length))}`;
    text = `${text.slice(0, LIMIT - 90)} ${STRADDLING} ${line.repeat(Math.ceil(((900 << 10) - LIMIT) / line.length))}`;
    text = `${text} ${FAR}\n${line.repeat(Math.ceil(((1 << 20) - text.length) / line.length))}`;
    expect(text.length).toBeGreaterThanOrEqual(1 << 20);

    const writer = new BatchWriter({ open: () => openDb(join(dir.path, "mcpscope.db")) });
    const recorder = new SessionRecorder(
      writer,
      {
        sessionId: "big-1",
        server: "files",
        command: "files-server",
        startedAt: Date.now(),
        pid: null,
        wrapperPid: process.pid,
      },
      LIMIT,
    );
    const observer = new SessionObserver(recorder);
    const request = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "read", arguments: {} } };
    const response = { jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text }] } };
    const now = Date.now();
    observer.line("in", Buffer.from(JSON.stringify(request)), now);
    observer.line("out", Buffer.from(JSON.stringify(response)), now + 5);
    recorder.ended({ endedAt: now + 10, exitCode: 0, signal: null });
    writer.close();

    const db = openDb(join(dir.path, "mcpscope.db"));
    const call = db
      .prepare("SELECT outcome, bytes_out, response FROM calls WHERE session_id = 'big-1'")
      .get();
    const findings = db
      .prepare("SELECT details FROM events WHERE session_id = 'big-1' AND type = 'secret.detected'")
      .all()
      .map((row) => String(row.details))
      .join("\n");
    db.close();

    // Stored compressed (it is over the compression threshold): read as every reader reads it.
    const stored = decodePayload(call?.response) ?? "";
    expect(call?.outcome).toBe("ok");
    expect(Number(call?.bytes_out)).toBeGreaterThan(1 << 20);
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(LIMIT + 64);
    expect(stored).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(stored).not.toContain(NEAR);
    expect(stored).toContain("[masked:github-pat");
    // The secret across the cut is masked whole: not even its head is kept.
    expect(stored).not.toContain(STRADDLING.slice(0, 20));
    expect(stored).not.toContain(FAR);
    // Found and reported: the kept credentials; not scanned: the one 900 KiB in.
    expect(findings).toContain("github-pat");
    const farKinds = new Set<string>();
    maskString(`id ${FAR} here`, farKinds);
    expect([...farKinds].join()).toContain("aws");
    expect(findings).not.toContain("aws");
  });
});
