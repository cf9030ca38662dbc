/**
 * A report sent on says which mcpscope made it: the version is in the JSON document and under the title
 * of the Markdown and HTML files (and the PDF's, from the same line).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Report } from "../../shared/report.js";
import { mcpscope, ROOT, tempDir } from "../helpers/mcp.js";

const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

it("names the version that made it in every format", async () => {
  const report = async (format: string) =>
    (await mcpscope(["report", "--since", "1h", "--data-dir", dir.path, "--format", format, "--output", "-"]))
      .stdout;
  expect((JSON.parse(await report("json")) as Report).generator).toBe(`mcpscope ${version}`);
  expect(await report("md")).toMatch(
    new RegExp(`^Generated \\S+ by mcpscope ${version.replaceAll(".", "\\.")}\\.$`, "m"),
  );
  expect(await report("html")).toContain(` by mcpscope ${version}.</p>`);
});
