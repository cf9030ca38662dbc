/**
 * `rules check --json` prints one JSON document on stdout and nothing else: the data dir without a rule
 * file and a file that does not validate are answers (fields), as `db check --json` gives them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpscope, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

type Run = { code: number; stdout: string; stderr: string };
const run = (args: string[]): Promise<Run> =>
  mcpscope(args).then(
    (out) => ({ code: 0, ...out }),
    (e: Run) => e,
  );

describe("mcpscope rules check --json", () => {
  it("says that the data dir has no alerts.yaml as a field", async () => {
    const out = await run(["rules", "check", "--json", "--data-dir", dir.path]);
    const file = join(dir.path, "alerts.yaml");
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      ok: true,
      file,
      exists: false,
      notice: `${file} does not exist: the built-in rules and desktop notifications are in effect`,
    });
  });

  it("gives a file that does not validate as ok: false with its one-line error, exit 1", async () => {
    const file = join(dir.path, "bad.yaml");
    writeFileSync(file, "rules:\n  - name: x\n    bogus: 1\n");
    const out = await run(["rules", "check", file, "--json", "--data-dir", dir.path]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe("");
    const doc = JSON.parse(out.stdout);
    expect(doc).toMatchObject({ ok: false, file, exists: true });
    expect(doc.error).toMatch(/^bad\.yaml:2: rules\[0\]: /);
  });

  it("summarises a good file with where it is", async () => {
    const file = join(dir.path, "good.yaml");
    writeFileSync(file, "rules:\n  - { name: crash-loop, enabled: false }\n");
    const out = await run(["rules", "check", file, "--json", "--data-dir", dir.path]);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, file, exists: true, disabled: ["crash-loop"] });
  });
});
