/**
 * Tool-definition pinning through the real wrapper: a real SDK server whose `lookup` description comes
 * from the environment, run three times through `mcpscope run`, then approved with `mcpscope tools approve`
 * (the CLI in process: listing and approving pins is about the data, not the process).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliInProcess, cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { pinCount, readEvents, runFixture } from "./helpers.js";

const ORIGINAL = "Looks a word up in the dictionary.";
const CHANGED = "Looks a word up in the dictionary and the thesaurus.";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

interface PinsDoc {
  pins: { server: string; tool: string; status: string; hash: string; pending: { hash: string } | null }[];
}

describe("tool-definition pinning", () => {
  it("pins on the first run, stays quiet on an unchanged run, raises one change event, approval clears it", async () => {
    // 1: the first tools/list pins every tool, without events.
    await runFixture(dir.path, "dict", { LOOKUP_DESCRIPTION: ORIGINAL });
    expect(pinCount(dir.path, "dict")).toBe(2);
    const first = await cliJsonInProcess<PinsDoc>(["tools", "--data-dir", dir.path, "--server", "dict"]);
    expect(first.pins.map((p) => [p.tool, p.status])).toEqual([
      ["echo", "pinned"],
      ["lookup", "pinned"],
    ]);
    expect(readEvents(dir.path, "category = 'security'")).toEqual([]);
    // --tool narrows the listing to that tool; one that is not pinned says so.
    const one = await cliJsonInProcess<PinsDoc>(["tools", "--data-dir", dir.path, "--tool", "lookup"]);
    expect(one.pins.map((p) => [p.server, p.tool])).toEqual([["dict", "lookup"]]);
    const none = await cliOkInProcess([
      "tools",
      "--data-dir",
      dir.path,
      "--server",
      "dict",
      "--tool",
      "nope",
    ]);
    expect(none.stdout).toMatch(/^no tool named nope is pinned for dict;/);

    // 2: unchanged: no event.
    await runFixture(dir.path, "dict", { LOOKUP_DESCRIPTION: ORIGINAL });
    expect(readEvents(dir.path, "category = 'security'")).toEqual([]);

    // 3: the description changed: exactly one high event naming the tool, with the diff.
    await runFixture(dir.path, "dict", { LOOKUP_DESCRIPTION: CHANGED });
    // And a fourth run with the same change does not raise it again.
    await runFixture(dir.path, "dict", { LOOKUP_DESCRIPTION: CHANGED });
    const events = readEvents(dir.path, "category = 'security'");
    expect(events.map((e) => [e.type, e.severity, e.server])).toEqual([
      ["tool.definition_changed", "high", "dict"],
    ]);
    const event = events[0];
    expect(event?.message).toContain('"lookup"');
    expect(event?.details?.tool).toBe("lookup");
    const diff = String(event?.details?.diff).split("\n");
    expect(diff.slice(0, 2)).toEqual(["--- pinned", "+++ current"]);
    expect(diff.filter((l) => l.startsWith("-") && !l.startsWith("---"))).toEqual([
      `-  "description": "${ORIGINAL}",`,
    ]);
    expect(diff.filter((l) => l.startsWith("+") && !l.startsWith("+++"))).toEqual([
      `+  "description": "${CHANGED}",`,
    ]);

    const changed = await cliJsonInProcess<PinsDoc>(["tools", "--data-dir", dir.path]);
    const lookup = changed.pins.find((p) => p.tool === "lookup");
    expect(lookup?.status).toBe("changed");
    expect(lookup?.pending?.hash).toMatch(/^[0-9a-f]{72}$/);
    const table = await cliOkInProcess(["tools", "--data-dir", dir.path]);
    expect(table.stdout).toMatch(/lookup\s+CHANGED/);

    // Approve: the pin takes the new definition, and the approval is audited.
    const approved = await cliOkInProcess([
      "tools",
      "approve",
      "--data-dir",
      dir.path,
      "--server",
      "dict",
      "--tool",
      "lookup",
    ]);
    expect(approved.stdout).toContain("approved 1 change(s) of dict: lookup");
    const after = await cliJsonInProcess<PinsDoc>(["tools", "--data-dir", dir.path, "--server", "dict"]);
    const pinned = after.pins.find((p) => p.tool === "lookup");
    expect(pinned?.status).toBe("pinned");
    expect(pinned?.pending).toBeNull();
    expect(pinned?.hash).toBe(lookup?.pending?.hash);
    const audit = readEvents(dir.path, "category = 'audit' AND type = 'tool.approved'");
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).toMatchObject({ tool: "lookup", change: "changed" });

    // The changed definition is now the pin: another run raises nothing new.
    await runFixture(dir.path, "dict", { LOOKUP_DESCRIPTION: CHANGED });
    expect(readEvents(dir.path, "category = 'security'")).toHaveLength(1);
  }, 120_000);

  it("reports an added tool (low) and a removed tool (medium); approving a removal drops the pin", async () => {
    await runFixture(dir.path, "grow", {});
    await runFixture(dir.path, "grow", { EXTRA_TOOL: "1" });
    await runFixture(dir.path, "grow", {});
    const events = readEvents(dir.path, "category = 'security' AND server = 'grow'");
    expect(events.map((e) => [e.type, e.severity, e.details?.tool])).toEqual([
      ["tool.added", "low", "extra"],
      ["tool.removed", "medium", "extra"],
    ]);
    const result = await cliJsonInProcess<{ ok: boolean }>([
      "tools",
      "approve",
      "--data-dir",
      dir.path,
      "--server",
      "grow",
    ]);
    expect(result.ok).toBe(true);
    const pins = await cliJsonInProcess<PinsDoc>(["tools", "--data-dir", dir.path, "--server", "grow"]);
    expect(pins.pins.map((p) => p.tool)).toEqual(["echo", "lookup"]);
  }, 120_000);

  it("approving an unknown server fails with a one-line message", async () => {
    const error = await cliInProcess(["tools", "approve", "--data-dir", dir.path, "--server", "nope"]);
    expect(error.status).toBe(1);
    expect(error.stderr.trim()).toMatch(/^mcpscope tools: no pins for server "nope"/);
  });
});
