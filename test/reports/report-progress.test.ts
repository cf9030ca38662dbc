/**
 * `mcpscope report`'s progress on stderr: none while the read is quick (only its `report: wrote …` line,
 * whatever the range), and each step as it starts once the read has taken over a second.
 */
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { progressOnceSlow, QUIET_MS } from "../../electron/cli/slow-progress.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

describe("progress once slow", () => {
  it("shows nothing for the first second, then every step begun after it", () => {
    let now = 5_000;
    const shown: string[] = [];
    const progress = progressOnceSlow(
      (step) => shown.push(step),
      () => now,
    );
    progress("calls");
    now += QUIET_MS; // a second exactly is still quick
    progress("servers");
    now += 1;
    progress("tools");
    progress("alerts");
    expect(shown).toEqual(["tools", "alerts"]);
  });
});

describe("mcpscope report over a long range read quickly", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.cleanup());
  afterEach(() => {
    vi.useRealTimers();
  });

  it("prints only the line saying what it wrote", async () => {
    // The monotonic clock stands still: however the machine is loaded, the read takes no time.
    vi.useFakeTimers({ toFake: ["performance"] });
    const output = join(dir.path, "month.json");
    const run = await cliInProcess([
      "report",
      "--since",
      "30d",
      "--format",
      "json",
      "--output",
      output,
      "--data-dir",
      dir.path,
    ]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^report: wrote \S+\/month\.json \(\d+ bytes\)\n$/);
  });
});
