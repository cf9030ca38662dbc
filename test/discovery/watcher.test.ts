/** The watcher reports a new list when a client's config changes, appears, or is fixed. */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { DiscoveryOutcome } from "../../electron/monitor/discovery/discover.js";
import { type DiscoveryWatcher, watchDiscovery } from "../../electron/monitor/discovery/watcher.js";
import { CONDITION_MS } from "../helpers/mcp.js";
import { copyHome, linuxContext } from "./helpers.js";

let watcher: DiscoveryWatcher | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  watcher?.close();
  await cleanup?.();
});

/** Starts watching a copy of the fixture home; `next(predicate)` waits for a matching report. */
async function watchCopy(prepare?: (home: string) => Promise<void>) {
  const copy = await copyHome();
  cleanup = copy.cleanup;
  await prepare?.(copy.home);
  const reports: DiscoveryOutcome[] = [];
  const waiters: Array<() => void> = [];
  watcher = watchDiscovery(
    linuxContext(copy.home),
    (outcome) => {
      reports.push(outcome);
      for (const wake of waiters.splice(0)) wake();
    },
    { debounceMs: 100 },
  );
  const initial = await watcher.ready;
  const next = async (predicate: (o: DiscoveryOutcome) => boolean, ms = CONDITION_MS) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = reports.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching report within ${ms} ms (${reports.length} reports)`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  return { home: copy.home, initial, reports, next };
}

const names = (o: DiscoveryOutcome, client: string) =>
  o.servers.filter((s) => s.definition.client === client).map((s) => s.definition.name);

describe("watching client configs", () => {
  it("reports an edit saved the way editors do (write a temp file, rename it over)", async () => {
    const { home, initial, next } = await watchCopy();
    expect(names(initial, "cursor")).toEqual(["files", "openai-tools", "context7"]);
    const file = join(home, ".cursor/mcp.json");
    await writeFile(
      `${file}.tmp`,
      '{ "mcpServers": { "added": { "command": "uvx", "args": ["mcp-server-time"] } } }',
    );
    await rename(`${file}.tmp`, file);
    const report = await next((o) => names(o, "cursor").includes("added"));
    expect(names(report, "cursor")).toEqual(["added"]);
    expect(names(report, "claude-desktop")).toEqual(["filesystem", "github"]);
  });

  it("notices a config that appears in a folder that did not exist, and one that disappears", async () => {
    const { home, initial, next } = await watchCopy((h) => rm(join(h, ".lmstudio"), { recursive: true }));
    expect(names(initial, "lmstudio")).toEqual([]);
    await mkdir(join(home, ".lmstudio"));
    await writeFile(
      join(home, ".lmstudio/mcp.json"),
      '{"mcpServers": {"new-one": {"url": "https://x.example/mcp"}}}',
    );
    await next((o) => names(o, "lmstudio").includes("new-one"));
    await rm(join(home, ".gemini/settings.json"));
    await next((o) => names(o, "gemini").length === 1 && names(o, "lmstudio").length === 1);
  });

  it("reads a VS Code profile or a Gemini extension created after it started", async () => {
    const { home, initial, next } = await watchCopy();
    expect(names(initial, "gemini")).not.toContain("ext-tool");
    // The extensions folder does not exist yet; the profiles folder is made with the profile.
    const profile = join(home, ".config/Code/User/profiles/7a2c");
    await mkdir(profile, { recursive: true });
    await writeFile(join(profile, "mcp.json"), '{"servers": {"in-profile": {"command": "uvx"}}}');
    await next((o) => names(o, "vscode").includes("in-profile"));
    const extension = join(home, ".gemini/extensions/tools");
    await mkdir(extension, { recursive: true });
    await writeFile(
      join(extension, "gemini-extension.json"),
      '{"mcpServers": {"ext-tool": {"command": "node"}}}',
    );
    await next((o) => names(o, "gemini").includes("ext-tool"));
  });

  it("reports a change undone right after the owner's own rescan, however soon", async () => {
    const { home, initial, reports, next } = await watchCopy();
    const file = join(home, ".cursor/mcp.json");
    const before = names(initial, "cursor");
    const text = await readFile(file, "utf8");
    await writeFile(file, '{ "mcpServers": { "edited": { "command": "true" } } }');
    await watcher?.rescan();
    expect(names(reports.at(-1) as DiscoveryOutcome, "cursor")).toEqual(["edited"]);
    const reported = reports.length;
    await writeFile(file, text);
    const undone = await next((o) => reports.indexOf(o) >= reported && names(o, "cursor").length > 1);
    expect(names(undone, "cursor")).toEqual(before);
  });

  it("clears the warning when the malformed file is fixed, and stops reporting after close()", async () => {
    const { home, initial, reports, next } = await watchCopy();
    expect(initial.warnings).toHaveLength(1);
    await writeFile(
      join(home, "projects/app/.cursor/mcp.json"),
      '{"mcpServers": {"fixed": {"command": "true"}}}',
    );
    const report = await next((o) => o.warnings.length === 0);
    expect(report.servers.some((s) => s.definition.name === "fixed")).toBe(true);
    watcher?.close();
    const count = reports.length;
    await writeFile(join(home, ".cursor/mcp.json"), "{}");
    await new Promise((r) => setTimeout(r, 600));
    expect(reports.length).toBe(count);
  });
});
