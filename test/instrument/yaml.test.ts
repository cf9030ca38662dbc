import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { instrument, uninstrument } from "../../electron/monitor/instrument/instrument.js";
import { inspectRecord } from "../../electron/monitor/instrument/instrument-status.js";
import { readRecords } from "../../electron/monitor/instrument/records.js";
import { tempDir } from "../helpers/mcp.js";
import { APP_LAUNCHER, copyFixture, NODE_LAUNCHER, roundTrip, server } from "./helpers.js";

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir("mcpscope-instrument-");
});
afterEach(() => dir.cleanup());

const data = () => join(dir.path, "data");

describe("YAML", () => {
  for (const launcher of [NODE_LAUNCHER, APP_LAUNCHER]) {
    const kind = launcher === NODE_LAUNCHER ? "npm launcher" : "app launcher";

    it(`Continue mcpServers list: block args with comments (${kind})`, async () => {
      const file = await copyFixture(dir.path, "continue-config.yaml");
      const text = await roundTrip(
        server("continue", "sqlite", file, "yaml", ["mcpServers", 0]),
        data(),
        launcher,
      );
      expect(text).toContain("name: My Assistant   # shown in the UI\n");
      expect(text).toContain("  # browser automation\n  - name: browser\n");
    });

    it(`Continue mcpServers list: flow args (${kind})`, async () => {
      const file = await copyFixture(dir.path, "continue-config.yaml");
      const text = await roundTrip(
        server("continue", "browser", file, "yaml", ["mcpServers", 1]),
        data(),
        launcher,
      );
      expect(text).toMatch(/ {4}args: \[\/opt\/[^\n]*"@playwright\/mcp@latest"\]\n/);
    });

    it(`Continue mcpServers list: last entry, no args (${kind})`, async () => {
      const file = await copyFixture(dir.path, "continue-config.yaml");
      await roundTrip(server("continue", "plain", file, "yaml", ["mcpServers", 2]), data(), launcher);
    });

    it(`Goose extensions: cmd/args/envs (${kind})`, async () => {
      const file = await copyFixture(dir.path, "goose-config.yaml");
      await roundTrip(server("goose", "github", file, "yaml", ["extensions", "github"]), data(), launcher);
    });

    it(`Goose extensions: empty args and envs: {} (${kind})`, async () => {
      const file = await copyFixture(dir.path, "goose-config.yaml");
      await roundTrip(server("goose", "fetch", file, "yaml", ["extensions", "fetch"]), data(), launcher);
    });
  }

  it("CRLF, a comment on every line, and a document that the yaml printer would reformat", async () => {
    const file = join(dir.path, "config.yaml");
    const text = [
      "extensions:   # all of them",
      "  srv:",
      "    cmd: 'my server'   # quoted",
      "    args:",
      "    - --port",
      "    - '8080'",
      "    envs: {A: x}",
      "  other: {cmd: uvx, args: [a,b]}",
      "",
    ].join("\r\n");
    await writeFile(file, text);
    const wrapped = await roundTrip(
      server("goose", "srv", file, "yaml", ["extensions", "srv"]),
      data(),
      APP_LAUNCHER,
    );
    expect(wrapped).toContain("  other: {cmd: uvx, args: [a,b]}\r\n");
    expect(wrapped).toContain('{A: x, ELECTRON_RUN_AS_NODE: "1"}');
  });

  it("a list entry that moved (the user added a server above it) is still found and restored", async () => {
    const file = await copyFixture(dir.path, "continue-config.yaml");
    const original = await readFile(file, "utf8");
    const plain = server("continue", "plain", file, "yaml", ["mcpServers", 2]);
    await instrument(plain, { dataDir: data(), launcher: NODE_LAUNCHER });
    const added = "mcpServers:\n  - name: added\n    command: added-mcp\n";
    await writeFile(file, (await readFile(file, "utf8")).replace("mcpServers:\n", added));
    const [record] = await readRecords(data());
    // The fixture's launcher is not installed here: the entry is in place, and said to be broken.
    expect(await inspectRecord(record!)).toEqual({
      inPlace: true,
      exact: true,
      problem: null,
      launcherGone: NODE_LAUNCHER.command,
      launcherOther: null,
    });
    expect((await uninstrument(plain, { dataDir: data() })).status).toBe("restored");
    expect(await readFile(file, "utf8")).toBe(original.replace("mcpServers:\n", added));
  });

  it("never forces the original over a different server that now sits at the recorded index", async () => {
    const file = await copyFixture(dir.path, "continue-config.yaml");
    const browser = server("continue", "browser", file, "yaml", ["mcpServers", 1]);
    await instrument(browser, { dataDir: data(), launcher: NODE_LAUNCHER });
    // The user deletes the wrapped entry; "plain" moves up into its place.
    const text = await readFile(file, "utf8");
    const start = text.indexOf("  - name: browser");
    const edited = text.slice(0, start) + text.slice(text.indexOf("  - name: plain"));
    await writeFile(file, edited);
    await expect(uninstrument(browser, { dataDir: data(), force: true })).rejects.toThrow(
      /now holds another server/,
    );
    expect(await readFile(file, "utf8")).toBe(edited);
  });
});
