/**
 * Through the real wrapper: a stderr line longer than the wrapper reads whole keeps as much as a shorter
 * long line (the capture limit), with the same `…[truncated N bytes]` marker counting what was left out.
 */
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { captureText, DEFAULT_CAPTURE_LIMIT } from "../../electron/monitor/pipeline/capture.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { killAll, startRaw } from "../fixtures/raw-client.js";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterEach(() => killAll());
afterAll(() => dir.cleanup());

const SIZES = { B100K: 100_000, B250K: 250_000, HUGE: 300_000, GIANT: 1_000_000 };

/** Each line `NAME xxx…` of its size on the stderr of a wrapped server; the stored messages in order. */
async function stderrMessages(name: string, sizes: Record<string, number>, args: string[] = []) {
  const dataDir = join(dir.path, name);
  const script = `for (const [name, size] of Object.entries(${JSON.stringify(sizes)}))
      process.stderr.write(name + " " + "x".repeat(size - name.length - 1) + "\\n");`;
  const wrapper = startRaw(process.execPath, [
    MCPSCOPE,
    "run",
    "--name",
    name,
    "--data-dir",
    dataDir,
    ...args,
    "--",
    process.execPath,
    "-e",
    script,
  ]);
  wrapper.end();
  expect((await wrapper.done).code).toBe(0);
  const db = openDb(databasePath(dataDir), { readOnly: true });
  const rows = db.prepare("SELECT message FROM logs WHERE server = ? ORDER BY id").all(name);
  db.close();
  expect(rows.map((r) => String(r.message).split(" ")[0])).toEqual(Object.keys(sizes));
  return rows.map((r) => String(r.message));
}

describe("long stderr lines", () => {
  it("keep the capture limit's worth and say how much was cut, however long they are", async () => {
    const rows = (await stderrMessages("long", SIZES)).map((message) => ({ message }));
    for (const [i, size] of Object.values(SIZES).entries()) {
      const message = String(rows[i]?.message);
      const cut = /…\[truncated (\d+) bytes\]$/.exec(message);
      expect(cut, message.slice(-80)).not.toBeNull();
      const kept = Buffer.byteLength(message.slice(0, cut?.index));
      expect(kept).toBeGreaterThan(DEFAULT_CAPTURE_LIMIT - 64);
      expect(kept).toBeLessThanOrEqual(DEFAULT_CAPTURE_LIMIT);
      expect(kept + Number(cut?.[1])).toBe(size);
    }
  });

  it("under a capture limit above the default, are whole up to it and marked past it", async () => {
    const limit = 1024 * 1024;
    const sizes = { WHOLE: 300_000, LONGER: 1_200_000 };
    const [whole, longer] = await stderrMessages("big", sizes, ["--capture-limit", String(limit)]);
    expect(whole).toHaveLength(sizes.WHOLE);
    expect(whole).not.toContain("…[truncated");
    const cut = /…\[truncated (\d+) bytes\]$/.exec(String(longer));
    expect(cut, String(longer).slice(-80)).not.toBeNull();
    const kept = Buffer.byteLength(String(longer).slice(0, cut?.index));
    expect(kept).toBe(limit);
    expect(kept + Number(cut?.[1])).toBe(sizes.LONGER);
  });

  it("a line cut while read says so, even when what was kept fits under the limit", () => {
    expect(captureText("start of a line", 1024, undefined, 500)).toBe(
      "start of a line…[truncated 500 bytes]",
    );
  });
});
