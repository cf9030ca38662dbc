/**
 * `mcpscope report --format pdf 2>&1 | head -1`: the reader goes after the first stderr line. The lines
 * it no longer reads are lost; the report is not — the file is written whole, and the command
 * ends with exit 0, as it does when stdout closes early.
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MCPSCOPE, ROOT, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

describe("mcpscope report with its output pipe closed", () => {
  it.each(["pdf", "html"])("writes the %s file whole and exits 0", async (format) => {
    const out = join(dir.path, format);
    await mkdir(out);
    const child = spawn(
      process.execPath,
      [MCPSCOPE, "report", "--format", format, "--output", join(out, `r.${format}`), "--data-dir", dir.path],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    // Closed before the command writes a byte, so its first line on stderr (progress, or what it wrote) breaks the pipe.
    child.stdout.destroy();
    child.stderr.destroy();
    const code = await new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
    expect(code).toBe(0);
    expect(await readdir(out)).toEqual([`r.${format}`]);
    const bytes = await readFile(join(out, `r.${format}`));
    if (format === "pdf") {
      expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
      expect(bytes.subarray(-6).toString().trim()).toBe("%%EOF");
    } else expect(bytes.toString().trimEnd().endsWith("</html>")).toBe(true);
  });
});
