/**
 * An entry an earlier mcpscope instrumented names only its client (`run … --client C -- …`), so its calls
 * are shared with the client's other entries of that name. `mcpscope instrument` on it adds its entry
 * marker (`--entry ID`), says so, and `uninstrument` still puts the original back byte for byte. One
 * changed since it was wrapped is left as it is.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonc } from "../../electron/monitor/discovery/config-text.js";
import { recordsPath } from "../../electron/monitor/instrument/records.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
let home: string;
let data: string;
let file: string;
const ORIGINAL = `{
  // two profiles may hold this same entry
  "servers": {
    "files": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] }
  }
}
`;

beforeAll(async () => {
  tmp = await tempDir("mcpscope-mark-entry-");
  home = join(tmp.path, "home");
  data = join(tmp.path, "data");
  file = join(home, ".config", "Code", "User", "mcp.json");
  await mkdir(join(home, ".config", "Code", "User"), { recursive: true });
});
afterAll(() => tmp.cleanup());

const at = () => ["--client", "vscode", "--server", "files", "--home", home, "--data-dir", data];
const argsNow = async () =>
  (parseJsonc(await readFile(file, "utf8")) as { servers: { files: { args: string[] } } }).servers.files.args;
/** Drops `--entry ID` from the file and its record: the entry as an earlier mcpscope left it. */
const ENTRY_PAIR = /,\s*"--entry",\s*"vscode-[0-9a-f]{12}"/;
async function asWrappedBefore(): Promise<void> {
  await writeFile(file, (await readFile(file, "utf8")).replace(ENTRY_PAIR, ""));
  const records = JSON.parse(await readFile(recordsPath(data), "utf8"));
  for (const record of records.entries) {
    record.wrapped = record.wrapped.replace(ENTRY_PAIR, "");
    const args = record.wrappedValue.args as string[];
    args.splice(args.indexOf("--entry"), 2);
  }
  await writeFile(recordsPath(data), JSON.stringify(records, null, 2));
}

describe("an entry instrumented before entries were marked", () => {
  it("gets its marker from instrument, which says so, and is restored byte for byte", async () => {
    await writeFile(file, ORIGINAL);
    await cliOkInProcess(["instrument", ...at()]);
    await asWrappedBefore();
    const old = await argsNow();
    expect(old).not.toContain("--entry");
    const { servers } = await cliJsonInProcess<{ servers: Array<{ id: string; name: string }> }>([
      "discover",
      "--client",
      "vscode",
      "--home",
      home,
      "--data-dir",
      data,
    ]);
    const id = servers.find((s) => s.name === "files")?.id;

    const marked = await cliOkInProcess(["instrument", ...at()]);
    expect(marked.stdout).toMatch(
      /^marked files \(vscode\) in .*mcp\.json: an earlier mcpscope wrapped it with its client alone; its calls now count for this entry only\n/,
    );
    const args = await argsNow();
    const client = old.indexOf("--client");
    // Only the marker is added, right after the client's.
    expect(args).toEqual([...old.slice(0, client + 2), "--entry", id, ...old.slice(client + 2)]);

    const again = await cliOkInProcess(["instrument", ...at()]);
    expect(again.stdout).toBe("files (vscode) is already launched through mcpscope run; nothing changed\n");

    await cliOkInProcess(["uninstrument", ...at()]);
    expect(await readFile(file, "utf8")).toBe(ORIGINAL);
  });

  it("is left as it is when it was changed since it was wrapped", async () => {
    await writeFile(file, ORIGINAL);
    await cliOkInProcess(["instrument", ...at()]);
    await asWrappedBefore();
    const edited = (await readFile(file, "utf8")).replace('"/tmp"]', '"/tmp", "--verbose"]');
    await writeFile(file, edited);

    const run = await cliOkInProcess(["instrument", ...at()]);
    expect(run.stdout).toBe("files (vscode) is already launched through mcpscope run; nothing changed\n");
    expect(await readFile(file, "utf8")).toBe(edited);
  });

  it("is left as it is when another mcpscope launches it (one that may not know --entry)", async () => {
    await writeFile(file, ORIGINAL);
    await cliOkInProcess(["instrument", ...at()]);
    await asWrappedBefore();
    // An older app version's copy of the CLI (still there), as its entry and its record name it.
    const script = (await argsNow())[0] ?? "";
    const older = join(tmp.path, "mcpscope-0.9", "bin", "mcpscope.js");
    await mkdir(join(tmp.path, "mcpscope-0.9", "bin"), { recursive: true });
    await writeFile(older, "");
    const swap = (text: string) => text.split(JSON.stringify(script).slice(1, -1)).join(older);
    await writeFile(file, swap(await readFile(file, "utf8")));
    const records = JSON.parse(await readFile(recordsPath(data), "utf8"));
    for (const record of records.entries) {
      record.wrapped = swap(record.wrapped);
      record.wrappedValue.args = (record.wrappedValue.args as string[]).map((a) =>
        a === script ? older : a,
      );
    }
    await writeFile(recordsPath(data), JSON.stringify(records, null, 2));
    const before = await readFile(file, "utf8");
    expect(before).toContain(older);

    const run = await cliOkInProcess(["instrument", ...at()]);
    // Left as it is (it may be newer, or chosen), but named, with the command that re-points it.
    expect(run.stdout).toBe(
      `files (vscode) is already launched through mcpscope run; nothing changed\nfiles (vscode) in ${file} runs another mcpscope: ${older}; its calls are recorded here only while that one can use this data dir — \`mcpscope instrument --repair --data-dir ${data} --client vscode --server files\` points it at this one\n`,
    );
    expect(await readFile(file, "utf8")).toBe(before);
  });
});
