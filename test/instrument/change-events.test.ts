/**
 * `mcpscope instrument` and `uninstrument` on the command line leave what the app's buttons leave: a
 * `system` event of the same type (`events --category system`) beside the audit record, once per change.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventRecord } from "../../shared/events.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
let home: string;
let data: string;
let file: string;

beforeAll(async () => {
  tmp = await tempDir("mcpscope-change-events-");
  home = join(tmp.path, "home");
  data = join(tmp.path, "data");
  file = join(home, ".config", "Claude", "claude_desktop_config.json");
  await mkdir(join(home, ".config", "Claude"), { recursive: true });
  await writeFile(
    file,
    '{ "mcpServers": { "files": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem"] } } }\n',
  );
});
afterAll(() => tmp.cleanup());

const at = () => ["--client", "claude-desktop", "--server", "files", "--home", home, "--data-dir", data];
const systemEvents = async () =>
  (await cliJsonInProcess<{ events: EventRecord[] }>(["events", "--category", "system", "--data-dir", data]))
    .events;

describe("config changes from the CLI", () => {
  it("are system events as from the app, one per change, beside the audit records", async () => {
    await cliOkInProcess(["instrument", ...at()]);
    // Already instrumented: nothing changed, nothing to record.
    await cliOkInProcess(["instrument", ...at()]);
    await cliOkInProcess(["uninstrument", ...at()]);

    const events = await systemEvents();
    expect(events.map((e) => e.type)).toEqual(["uninstrument", "instrument"]);
    const [undone, done] = events;
    expect(done).toMatchObject({ category: "system", severity: "info", server: "files", session: null });
    expect(done?.message).toBe(`files (claude-desktop) in ${file} now runs through mcpscope run`);
    expect(done?.details).toMatchObject({ client: "claude-desktop", file });
    expect(String((done?.details as { backup?: string } | undefined)?.backup)).toContain(
      join(data, "backups"),
    );
    expect(undone?.message).toBe(`files (claude-desktop) restored in ${file}`);
    expect(undone?.details).toMatchObject({ client: "claude-desktop", file, forced: false });

    const audit = (await cliOkInProcess(["audit", "export", "--data-dir", data])).stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { action: string; server: string; target: string });
    expect(audit.map((r) => [r.action, r.server, r.target])).toEqual([
      ["instrument", "files", file],
      ["uninstrument", "files", file],
    ]);
  });
});
