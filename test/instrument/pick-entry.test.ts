/**
 * One name in several entries of one file (Claude Code's user scope and each project's local scope in
 * ~/.claude.json): --scope and --project pick one, the refusal names each entry's flags, and --file is
 * compared as the file system resolves it.
 */
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configHandlers } from "../../electron/monitor/api/config-handlers.js";
import { storeHandlers } from "../../electron/monitor/api/store-handlers.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";

let tmp: { path: string; cleanup: () => Promise<void> };
let home: string;
let claudeJson: string;
let original: string;
const projA = "/work/app-a";
const projB = "/work/app b";

const entry = (tag: string) => ({ type: "stdio", command: "npx", args: ["-y", "server-everything", tag] });

beforeAll(async () => {
  tmp = await tempDir("mcpscope-pick-");
  home = join(tmp.path, "home");
  await mkdir(home, { recursive: true });
  claudeJson = join(home, ".claude.json");
  original = `${JSON.stringify(
    {
      numStartups: 3,
      mcpServers: { everything: entry("user") },
      projects: {
        [projA]: { mcpServers: { everything: entry("a") } },
        [projB]: { mcpServers: { everything: entry("b") } },
      },
    },
    null,
    2,
  )}\n`;
  await writeFile(claudeJson, original);
});
afterAll(() => tmp.cleanup());

function handlers(dataDir: string) {
  return configHandlers({ dataDir });
}

const base = () => ({ client: "claude-code" as const, server: "everything", home });

describe("picking one entry of a name that is in several scopes of one file", () => {
  it("refuses without a pick, naming each entry's scope, project and the flags that select it", async () => {
    const data = join(tmp.path, "d-refuse");
    const refusal = handlers(data)["instrument.entry"]({ ...base(), file: claudeJson });
    await expect(refusal).rejects.toThrow(
      `"everything" (claude-code) is in 3 entries: user scope in ${claudeJson} (--scope user); ` +
        `local scope of ${projA} in ${claudeJson} (--scope local --project ${projA}); ` +
        `local scope of ${projB} in ${claudeJson} (--scope local --project '${projB}'); add the flags of the one you mean`,
    );
    expect(await readFile(claudeJson, "utf8")).toBe(original);
  });

  it("--scope and --project pick the entry to instrument; instrumented and uninstrument tell them apart", async () => {
    const data = join(tmp.path, "d-pick");
    const api = handlers(data);
    const local = await api["instrument.entry"]({ ...base(), scope: "local", project: projB });
    expect(local.status).toBe("instrumented");
    const user = await api["instrument.entry"]({ ...base(), scope: "user" });
    expect(user.status).toBe("instrumented");
    const parsed = JSON.parse(await readFile(claudeJson, "utf8"));
    expect(parsed.projects[projB].mcpServers.everything.args).toContain("--");
    expect(parsed.mcpServers.everything.args).toContain("--");
    expect(parsed.projects[projA].mcpServers.everything).toEqual(entry("a"));

    const db = openDb(join(data, "test.db"));
    try {
      const listed = await storeHandlers(db, { dataDir: data, actor: "test" })["instrument.records"]({});
      expect(listed.map((r) => [r.scope, r.project])).toEqual([
        ["local", projB],
        ["user", null],
      ]);
    } finally {
      db.close();
    }

    await expect(api["instrument.undo"]({ ...base() })).rejects.toThrow(
      `"everything" (claude-code) is instrumented in 2 entries: local scope of ${projB} in ${claudeJson} (--scope local); user scope in ${claudeJson} (--scope user); add the flags of the one you mean`,
    );
    const undoLocal = await api["instrument.undo"]({ ...base(), scope: "local" });
    expect(undoLocal.entries.map((e) => e.status)).toEqual(["restored"]);
    const undoUser = await api["instrument.undo"]({ ...base(), scope: "user", file: claudeJson });
    expect(undoUser.entries.map((e) => e.status)).toEqual(["restored"]);
    expect(await readFile(claudeJson, "utf8")).toBe(original);
  });

  it("a pick that matches none lists where the name is", async () => {
    const data = join(tmp.path, "d-none");
    await expect(
      handlers(data)["instrument.entry"]({ ...base(), scope: "local", project: "/elsewhere" }),
    ).rejects.toThrow(`no "everything" entry of claude-code matches those flags; it is in: user scope in`);
  });
});

describe("--file names the file as the shell does", () => {
  it("a relative, non-normalised or symlinked path picks the same file for instrument and uninstrument", async () => {
    const data = join(tmp.path, "d-file");
    const api = handlers(data);
    const cursor = join(home, ".cursor", "mcp.json");
    await mkdir(join(home, ".cursor"), { recursive: true });
    const text = `{ "mcpServers": { "memory": { "command": "npx", "args": ["-y", "server-memory"] } } }\n`;
    await writeFile(cursor, text);
    const link = join(tmp.path, "linked.json");
    await symlink(cursor, link);
    const memory = { client: "cursor" as const, server: "memory", home };
    const done = await api["instrument.entry"]({ ...memory, file: relative(process.cwd(), cursor) });
    expect(done.file).toBe(cursor);
    expect((await api["instrument.undo"]({ ...memory, file: link })).entries.map((e) => e.status)).toEqual([
      "restored",
    ]);
    const dotted = join(home, ".cursor", "..", ".cursor", "mcp.json");
    await api["instrument.entry"]({ ...memory, file: dotted });
    const undo = await api["instrument.undo"]({ ...memory, file: dotted });
    expect(undo.entries.map((e) => e.status)).toEqual(["restored"]);
    expect(await readFile(cursor, "utf8")).toBe(text);
  });
});

describe("records written before scopes were kept", () => {
  it("a legacy user-scope record and a local one are each picked by their flags", async () => {
    const data = join(tmp.path, "d-legacy");
    await handlers(data)["instrument.entry"]({ ...base(), scope: "user" });
    await handlers(data)["instrument.entry"]({ ...base(), scope: "local", project: projA });
    const records = join(data, "instrumented.json");
    const stored = JSON.parse(await readFile(records, "utf8")) as { entries: Array<Record<string, unknown>> };
    for (const record of stored.entries) delete record.scope;
    await writeFile(records, JSON.stringify(stored));

    await expect(handlers(data)["instrument.undo"](base())).rejects.toThrow(
      `"everything" (claude-code) is instrumented in 2 entries: user scope in ${claudeJson} (--scope user); ` +
        `local scope of ${projA} in ${claudeJson} (--scope local); add the flags of the one you mean`,
    );
    const local = await handlers(data)["instrument.undo"]({ ...base(), scope: "local", project: projA });
    expect(local.entries.map((e) => e.status)).toEqual(["restored"]);
    const user = await handlers(data)["instrument.undo"]({ ...base(), scope: "user" });
    expect(user.entries.map((e) => e.status)).toEqual(["restored"]);
    expect(await readFile(claudeJson, "utf8")).toBe(original);
  });
});

describe("records of older mcpscopes, in files of one scope", () => {
  it("an entry of Claude Desktop or Cursor is their file's scope: listed so, and picked by --scope", async () => {
    const data = join(tmp.path, "d-one-scope");
    const api = handlers(data);
    const desktop = join(home, ".config", "Claude", "claude_desktop_config.json");
    const cursor = join(home, ".cursor", "mcp.json");
    const memory = `{ "mcpServers": { "memory": { "command": "npx", "args": ["-y", "server-memory"] } } }\n`;
    await mkdir(dirname(desktop), { recursive: true });
    await mkdir(dirname(cursor), { recursive: true });
    await writeFile(desktop, memory);
    await writeFile(cursor, memory);
    for (const client of ["claude-desktop", "cursor"] as const)
      await api["instrument.entry"]({ client, server: "memory", home });
    const records = join(data, "instrumented.json");
    const stored = JSON.parse(await readFile(records, "utf8")) as { entries: Array<Record<string, unknown>> };
    for (const record of stored.entries) delete record.scope;
    await writeFile(records, JSON.stringify(stored));

    // `mcpscope instrumented` reads the configs of the home it runs in.
    const db = openDb(join(data, "test.db"));
    const realHome = process.env.HOME;
    process.env.HOME = home;
    try {
      const listed = await storeHandlers(db, { dataDir: data, actor: "test" })["instrument.records"]({});
      expect(listed.map((r) => [r.client, r.scope])).toEqual([
        ["claude-desktop", "user"],
        ["cursor", "user"],
      ]);
    } finally {
      process.env.HOME = realHome;
      db.close();
    }
    for (const client of ["claude-desktop", "cursor"] as const) {
      const undo = await api["instrument.undo"]({ client, server: "memory", home, scope: "user" });
      expect(undo.entries.map((e) => e.status)).toEqual(["restored"]);
    }
    expect(await readFile(desktop, "utf8")).toBe(memory);
    expect(await readFile(cursor, "utf8")).toBe(memory);
  });
});

describe("an entry mcpscope does not edit beside an editable one of the same name", () => {
  it("instrument picks the editable one; --file on the other still says why not", async () => {
    const gemini = join(tmp.path, "gemini-home");
    const settings = join(gemini, ".gemini", "settings.json");
    const manifest = join(gemini, ".gemini", "extensions", "ext1", "gemini-extension.json");
    await mkdir(dirname(manifest), { recursive: true });
    await writeFile(settings, '{"mcpServers":{"x":{"command":"npx","args":["a"]}}}\n');
    const extension = '{"name":"ext1","version":"1","mcpServers":{"x":{"command":"node","args":["s.js"]}}}\n';
    await writeFile(manifest, extension);
    const data = join(tmp.path, "d-gemini");
    const pick = { client: "gemini" as const, server: "x", home: gemini };

    const result = await handlers(data)["instrument.entry"](pick);
    expect(result).toMatchObject({ status: "instrumented", file: settings });
    await expect(handlers(data)["instrument.entry"]({ ...pick, file: manifest })).rejects.toThrow(
      /extension/,
    );
    expect(await readFile(manifest, "utf8")).toBe(extension);
  });
});
