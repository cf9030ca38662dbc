/** Undoing: what is kept when the user or the client changed the file meanwhile. */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "jsonc-parser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  instrument,
  REMOTE_REFUSAL,
  uninstrument,
  uninstrumentAll,
} from "../../electron/monitor/instrument/instrument.js";
import { checkInstrumented, inspectRecord } from "../../electron/monitor/instrument/instrument-status.js";
import { readRecords } from "../../electron/monitor/instrument/records.js";
import { tempDir } from "../helpers/mcp.js";
import { APP_LAUNCHER, copyFixture, FIXTURES, NODE_LAUNCHER, server } from "./helpers.js";

let dir: { path: string; cleanup: () => Promise<void> };
let file: string;
let original: string;
beforeEach(async () => {
  dir = await tempDir("mcpscope-instrument-");
  file = await copyFixture(dir.path, "claude-desktop.json");
  original = await readFile(file, "utf8");
});
afterEach(() => dir.cleanup());

const data = () => join(dir.path, "data");
const files = () => server("claude-desktop", "files", file, "jsonc", ["mcpServers", "files"]);
const opts = () => ({ dataDir: data(), launcher: NODE_LAUNCHER });

describe("uninstrument", () => {
  it("restores only the entry when other parts of the file changed meanwhile", async () => {
    await instrument(files(), opts());
    const wrapped = await readFile(file, "utf8");
    // The user edits elsewhere: before the entry and after it.
    await writeFile(
      file,
      wrapped
        .replace("// Claude Desktop: hand-edited", "// edited by me")
        .replace("Ctrl+Space", "Ctrl+Alt+Space"),
    );
    expect((await uninstrument(files(), { dataDir: data() })).status).toBe("restored");
    expect(await readFile(file, "utf8")).toBe(
      original
        .replace("// Claude Desktop: hand-edited", "// edited by me")
        .replace("Ctrl+Space", "Ctrl+Alt+Space"),
    );
  });

  it("refuses when the wrapped entry itself was changed, and --force puts the original back", async () => {
    await instrument(files(), opts());
    const edited = (await readFile(file, "utf8")).replace('"DEBUG": "1"', '"DEBUG": "2"');
    await writeFile(file, edited);
    await expect(uninstrument(files(), { dataDir: data() })).rejects.toThrow(
      /was changed since mcpscope wrapped it .*nothing was changed — --force/,
    );
    expect(await readFile(file, "utf8")).toBe(edited);
    expect((await uninstrument(files(), { dataDir: data(), force: true })).status).toBe("forced");
    expect(await readFile(file, "utf8")).toBe(original);
  });

  it("a client that regenerated its file (wrapping lost) is reported, and uninstrument refuses without --force", async () => {
    const s = files();
    await instrument(s, opts());
    // Claude Desktop rewrites the file as plain JSON, dropping comments and our wrapping.
    const regenerated = `${JSON.stringify({ mcpServers: { files: { command: "npx", args: ["-y", "x"] } } }, null, 2)}\n`;
    await writeFile(file, regenerated);
    const [record] = await readRecords(data());
    expect(await inspectRecord(record!)).toEqual({
      inPlace: false,
      exact: false,
      problem: null,
      launcherGone: null,
      launcherOther: null,
    });
    const lost = checkInstrumented(await readRecords(data()), [s]);
    expect(lost).toMatchObject([{ reason: "unwrapped", record: { server: "files" } }]);
    expect(lost[0]?.message).toMatch(/no longer launched through mcpscope/);
    expect(
      checkInstrumented(await readRecords(data()), [
        { ...s, wrapped: { command: "npx", args: [], byHand: false, recordsInto: data() } },
      ]),
    ).toEqual([]);
    expect(checkInstrumented(await readRecords(data()), [])[0]?.reason).toBe("missing");
    // A half-saved file hides its entries from discovery: that is "cannot be read right now", not "gone".
    const halfSaved = [{ file, message: "line 3: unexpected end of file (expected '}')" }];
    const unreadable = checkInstrumented(await readRecords(data()), [], halfSaved);
    expect(unreadable).toMatchObject([{ reason: "unreadable" }]);
    expect(unreadable[0]?.message).toMatch(/cannot be read right now \(line 3: unexpected end of file/);
    expect(unreadable[0]?.message).not.toMatch(/no longer in the file/);
    await expect(uninstrument(s, { dataDir: data() })).rejects.toThrow(/was changed since/);
    expect(await readFile(file, "utf8")).toBe(regenerated);
  });

  it("a client that re-formatted its file but kept every value (Claude Code) needs no --force", async () => {
    const claudeCode = await copyFixture(dir.path, "claude-code.json");
    const db = server("claude-code", "db", claudeCode, "jsonc", [
      "projects",
      "/home/me/app",
      "mcpServers",
      "db",
    ]);
    await instrument(db, opts());
    // Claude Code rewrites ~/.claude.json on start: its own formatting, a counter bumped.
    const rewritten = JSON.parse(await readFile(claudeCode, "utf8"));
    rewritten.numStartups = 43;
    await writeFile(claudeCode, JSON.stringify(rewritten, null, 2));
    const [record] = await readRecords(data());
    // The fixture's launcher is not installed here: the entry is still in place, and said to be broken.
    expect(await inspectRecord(record!)).toEqual({
      inPlace: true,
      exact: true,
      problem: null,
      launcherGone: NODE_LAUNCHER.command,
      launcherOther: null,
    });
    expect((await uninstrument(db, { dataDir: data() })).status).toBe("restored");
    const restored = JSON.parse(await readFile(claudeCode, "utf8"));
    const expected = JSON.parse(await readFile(join(FIXTURES, "claude-code.json.fixture"), "utf8"));
    expect(restored).toEqual({ ...expected, numStartups: 43 });
    expect(await readFile(claudeCode, "utf8")).toContain(
      '"db": {\n          "type": "stdio",\n          "command": "/usr/local/bin/postgres-mcp",\n          "args": ["--dsn"',
    );
  });

  it("an entry back to its original values in the client's own formatting counts as already restored", async () => {
    await instrument(files(), opts());
    // Claude Desktop writes back its own (unwrapped) state as plain JSON: comments and layout gone.
    const regenerated = `${JSON.stringify(parse(original), null, 2)}\n`;
    await writeFile(file, regenerated);
    expect((await uninstrument(files(), { dataDir: data() })).status).toBe("unchanged");
    expect(await readFile(file, "utf8")).toBe(regenerated);
    expect(await readRecords(data())).toEqual([]);
  });

  it("a deleted config is reported in words, not as a raw ENOENT", async () => {
    await instrument(files(), opts());
    await rm(file);
    const [record] = await readRecords(data());
    expect(await inspectRecord(record!)).toEqual({
      inPlace: false,
      exact: false,
      problem: "the file does not exist any more",
      launcherGone: null,
      launcherOther: null,
    });
  });

  it("an entry already back to its original text is just forgotten; a removed entry needs --force", async () => {
    await instrument(files(), opts());
    await writeFile(file, original);
    expect((await uninstrument(files(), { dataDir: data() })).status).toBe("unchanged");
    expect(await readRecords(data())).toEqual([]);

    await instrument(files(), opts());
    await writeFile(file, '{ "mcpServers": {} }\n');
    await expect(uninstrument(files(), { dataDir: data() })).rejects.toThrow(
      /no longer in .*--force forgets it/,
    );
    expect((await uninstrument(files(), { dataDir: data(), force: true })).status).toBe("forgotten");
    expect(await readFile(file, "utf8")).toBe('{ "mcpServers": {} }\n');
  });

  it("--all restores every entry in every file and reports the ones it cannot", async () => {
    const toml = await copyFixture(dir.path, "codex-config.toml");
    const yaml = await copyFixture(dir.path, "goose-config.yaml");
    const tomlOriginal = await readFile(toml, "utf8");
    const yamlOriginal = await readFile(yaml, "utf8");
    await instrument(files(), opts());
    await instrument(server("claude-desktop", "memory", file, "jsonc", ["mcpServers", "memory"]), opts());
    await instrument(server("codex", "files", toml, "toml", ["mcp_servers", "files"]), {
      ...opts(),
      launcher: APP_LAUNCHER,
    });
    await instrument(server("goose", "github", yaml, "yaml", ["extensions", "github"]), opts());
    await writeFile(
      yaml,
      (await readFile(yaml, "utf8")).replace(
        "timeout: 300\n    type: stdio",
        "timeout: 301\n    type: stdio",
      ),
    );

    const items = await uninstrumentAll({ dataDir: data() });
    expect(items.map((i) => [i.record.server, i.result?.status ?? "failed"])).toEqual([
      ["files", "restored"],
      ["memory", "restored"],
      ["files", "restored"],
      ["github", "failed"],
    ]);
    expect(await readFile(file, "utf8")).toBe(original);
    expect(await readFile(toml, "utf8")).toBe(tomlOriginal);
    expect(items[3]?.error).toMatch(/was changed since/);
    expect((await uninstrumentAll({ dataDir: data(), force: true }))[0]?.result?.status).toBe("forced");
    expect(await readFile(yaml, "utf8")).toBe(yamlOriginal);
    expect(await readRecords(data())).toEqual([]);
  });

  it("instrumenting twice changes nothing the second time; remote servers are refused", async () => {
    await instrument(files(), opts());
    const wrapped = await readFile(file, "utf8");
    expect((await instrument(files(), opts())).status).toBe("already-instrumented");
    expect(await readFile(file, "utf8")).toBe(wrapped);
    const remote = server("claude-desktop", "remote", file, "jsonc", ["mcpServers", "remote"], "http");
    await expect(instrument(remote, opts())).rejects.toThrow(REMOTE_REFUSAL);
  });
});
