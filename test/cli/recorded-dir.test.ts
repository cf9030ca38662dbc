/**
 * A reading command over a data dir that does not exist: a typo in --data-dir or MCPSCOPE_HOME is refused
 * in one line, and nothing is created there; an existing empty dir still reads as nothing recorded yet.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

describe("reading a data dir that does not exist", () => {
  it("refuses every reading command in one line, creating nothing", async () => {
    const typo = join(dir.path, "typo");
    for (const command of [
      ["stats"],
      ["calls"],
      ["logs"],
      ["events"],
      ["db", "info"],
      ["audit", "verify"],
      ["backup", join(dir.path, "x.mcpscope-backup")],
      ["report", "schedule", "list"],
    ]) {
      const out = await cliInProcess([...command, "--data-dir", typo]);
      expect(out.status, command.join(" ")).toBe(1);
      expect(out.stderr).toBe(
        `mcpscope ${command[0]}: no data dir at ${typo} (from --data-dir): nothing was recorded there; check the path\n`,
      );
    }
    expect(existsSync(typo)).toBe(false);
  });

  it("names MCPSCOPE_HOME when that is where the path came from", async () => {
    const typo = join(dir.path, "home-typo");
    const before = process.env.MCPSCOPE_HOME;
    process.env.MCPSCOPE_HOME = typo;
    const out = await cliInProcess(["stats"]).finally(() => {
      if (before === undefined) delete process.env.MCPSCOPE_HOME;
      else process.env.MCPSCOPE_HOME = before;
    });
    expect(out.stderr).toContain(`no data dir at ${typo} (from MCPSCOPE_HOME)`);
    expect(existsSync(typo)).toBe(false);
  });

  it("reads an existing empty dir as nothing recorded yet", async () => {
    const out = await cliInProcess(["stats", "--data-dir", dir.path]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^No calls between/);
  });
});
