/**
 * Saving a report in the desktop app, through fakes of Electron's dialog and shell: the main process asks
 * the engine for the file, suggests its name in the Save dialog and writes exactly the rendered bytes; a
 * save from the tray is confirmed by a box with Show in folder, one from the renderer (which shows its own
 * toast) by nothing more; a cancelled dialog writes nothing. The IPC relay serves reports.save in the main
 * process, never forwarding it to the engine.
 */
import { lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RENDERER_URL } from "../../electron/main/app-protocol.js";
import { createIpcRelay } from "../../electron/main/ipc-relay.js";
import {
  createFileSaver,
  createReportSaver,
  type ReportSaverParts,
  savedFileOpener,
  savedFileWriter,
} from "../../electron/main/report-saver.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { SAVED_FILE_MAX_CHARS, tooLargeToSave } from "../../shared/files.js";

let dir: string;
let engine: Engine;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-saver-"));
  engine = await createEngine({ dataDir: dir, inventory: false, alerts: false });
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

function parts(answer: { canceled: boolean; filePath?: string }, button = 0) {
  const shown: string[] = [];
  const fake = {
    engine,
    showSaveDialog: vi.fn(async () => answer),
    showMessageBox: vi.fn(async () => ({ response: button })),
    writeFile: vi.fn((path: string, data: Buffer) => writeFile(path, data)),
    openFile: vi.fn((path: string) => savedFileOpener(dir)(path)),
    showItemInFolder: vi.fn((path: string) => {
      shown.push(path);
    }),
    defaultDir: "/home/me/Downloads",
  } satisfies ReportSaverParts;
  return { fake, shown };
}

describe("saving a report from the desktop app", () => {
  it("suggests the report's name, writes the rendered PDF and, asked to confirm, shows it in its folder", async () => {
    const target = join(dir, "chosen.pdf");
    const { fake, shown } = parts({ canceled: false, filePath: target });
    const save = createReportSaver(fake);
    const result = await save(
      { format: "pdf", since: "2026-12-01T00:00:00Z", until: "2026-12-08T00:00:00Z" },
      { confirm: true },
    );
    expect(result).toMatchObject({ ok: true, path: target });
    expect(fake.showSaveDialog).toHaveBeenCalledWith({
      title: "Export report",
      defaultPath: "/home/me/Downloads/mcpscope-report-2026-12-01_to_2026-12-07.pdf",
      filters: [{ name: "PDF", extensions: ["pdf"] }],
    });
    expect((await readFile(target)).subarray(0, 5).toString()).toBe("%PDF-");
    await vi.waitFor(() => expect(shown).toEqual([target]));
  });

  it("writes the chosen file whole through a temporary file, owner-only, replacing the one the dialog confirmed", async () => {
    const target = join(dir, "replaced.md");
    await writeFile(target, "THE OLD REPORT\n", { mode: 0o644 });
    const { fake } = parts({ canceled: false, filePath: target });
    const result = await createReportSaver({ ...fake, writeFile: savedFileWriter(dir) })({
      format: "md",
      period: "day",
    });
    expect(result).toMatchObject({ ok: true, path: target });
    expect(await readFile(target, "utf8")).toMatch(/^# mcpscope report/);
    if (process.platform !== "win32") expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((name) => name.includes(".tmp"))).toEqual([]);
  });

  it("never writes over the data dir's database, whatever the dialog answered, and says why in one line", async () => {
    const database = join(dir, "mcpscope.db");
    const before = await readFile(database);
    const { fake } = parts({ canceled: false, filePath: database });
    const save = createFileSaver({ ...fake, writeFile: savedFileWriter(dir) });
    await expect(
      save({ filename: "calls.json", mimeType: "application/json", encoding: "utf8", content: "{}\n" }),
    ).rejects.toThrow(
      new RegExp(
        `^cannot write ${database}: it is mcpscope's database \\(${database}\\); name another file$`,
      ),
    );
    expect((await readFile(database)).equals(before)).toBe(true);
  });

  it.skipIf(process.platform === "win32")(
    "saving over a link keeps the link and writes the file it names, owner-only",
    async () => {
      const kept = join(dir, "kept.csv");
      const chosen = join(dir, "link.csv");
      await writeFile(kept, "old\n", { mode: 0o644 });
      await symlink(kept, chosen);
      const { fake } = parts({ canceled: false, filePath: chosen });
      const save = createFileSaver({ ...fake, writeFile: savedFileWriter(dir) });
      await save({ filename: "calls.csv", mimeType: "text/csv", encoding: "utf8", content: "id\r\n1\r\n" });
      expect((await lstat(chosen)).isSymbolicLink()).toBe(true);
      expect(await readFile(kept, "utf8")).toBe("id\r\n1\r\n");
      expect((await stat(kept)).mode & 0o777).toBe(0o600);
    },
  );

  it("writes nothing when the dialog is cancelled, and does not open the folder when OK is chosen", async () => {
    const cancelled = parts({ canceled: true });
    const result = await createReportSaver(cancelled.fake)({ format: "md", period: "day" });
    expect(result).toEqual({ ok: false, message: "not saved: cancelled", path: null });
    expect(cancelled.fake.writeFile).not.toHaveBeenCalled();

    const target = join(dir, "r.md");
    const ok = parts({ canceled: false, filePath: target }, 1);
    await createReportSaver(ok.fake)({ format: "md", period: "day" }, { confirm: true });
    expect(await readFile(target, "utf8")).toMatch(/^# mcpscope report/);
    await vi.waitFor(() => expect(ok.fake.showMessageBox).toHaveBeenCalled());
    expect(ok.shown).toEqual([]);
  });

  it("is served by the main process through the IPC relay, not forwarded to the engine", async () => {
    const rendererUrl = RENDERER_URL;
    const invoke = vi.fn(async () => "engine");
    const local = vi.fn(async () => ({ ok: true, message: "saved", path: "/x.csv" }));
    const relay = createIpcRelay({
      rendererUrl,
      isOwnWindow: () => true,
      engine: { invoke },
      local: { "reports.save": local },
    });
    const reply = await relay({ sender: {}, senderFrame: { url: rendererUrl } }, "reports.save", {
      format: "csv",
      section: "tools",
    });
    expect(reply).toEqual({ result: { ok: true, message: "saved", path: "/x.csv" } });
    expect(local).toHaveBeenCalledWith({ format: "csv", section: "tools" });
    expect(invoke).not.toHaveBeenCalled();
    // Input is validated before the main process acts on it.
    const bad = await relay({ sender: {}, senderFrame: { url: rendererUrl } }, "reports.save", {
      format: "exe",
    });
    expect(bad).toMatchObject({ error: { kind: "input" } });
    expect(local).toHaveBeenCalledOnce();
  });

  it("refuses a file past the save limit in one line that says what to do instead, writing nothing", async () => {
    const local = vi.fn(async () => ({ ok: true, message: "saved", path: "/x.json" }));
    const relay = createIpcRelay({
      rendererUrl: RENDERER_URL,
      isOwnWindow: () => true,
      engine: { invoke: vi.fn() },
      local: { "files.save": local },
    });
    const reply = (await relay({ sender: {}, senderFrame: { url: RENDERER_URL } }, "files.save", {
      filename: "logs.json",
      mimeType: "application/json",
      encoding: "utf8",
      content: "x".repeat(SAVED_FILE_MAX_CHARS + 1),
    })) as { error: { kind: string; message: string } };
    expect(reply.error.kind).toBe("input");
    expect(reply.error.message).toContain(
      "the file would be 65 MiB, more than the 64 MiB the app saves from a view; narrow the range or filters",
    );
    expect(reply.error.message).not.toContain("\n");
    expect(local).not.toHaveBeenCalled();
    expect(
      tooLargeToSave(70 * 1024 * 1024, "mcpscope logs --json --since 1h --limit 100000 > logs.json"),
    ).toBe(
      "the file would be 70 MiB, more than the 64 MiB the app saves from a view; narrow the range or filters, or write it from the terminal: mcpscope logs --json --since 1h --limit 100000 > logs.json",
    );
  });

  it("saves a file the renderer made (a table's rows) under its own name, with its extension's filter", async () => {
    const target = join(dir, "calls.csv");
    const { fake } = parts({ canceled: false, filePath: target }, 1);
    const result = await createFileSaver(fake)({
      filename: "mcpscope-calls-2026-12-06_14-05.csv",
      mimeType: "text/csv",
      encoding: "utf8",
      content: "id,server\r\n1,files\r\n",
    });
    expect(result).toMatchObject({ ok: true, path: target });
    expect(fake.showSaveDialog).toHaveBeenCalledWith({
      title: "Export",
      defaultPath: "/home/me/Downloads/mcpscope-calls-2026-12-06_14-05.csv",
      filters: [{ name: "CSV", extensions: ["csv"] }],
    });
    expect(await readFile(target, "utf8")).toBe("id,server\r\n1,files\r\n");
    // The renderer asked for it and confirms it with its own toast: no second, native confirmation.
    expect(fake.showMessageBox).not.toHaveBeenCalled();
    // A name with a folder in it is refused before any dialog.
    await expect(
      createFileSaver(fake)({
        filename: "../../.bashrc",
        mimeType: "text/plain",
        encoding: "utf8",
        content: "x",
      }),
    ).rejects.toThrow();
    expect(fake.showSaveDialog).toHaveBeenCalledOnce();
  });

  it("a report the renderer saves is confirmed by the renderer alone, not by a native box too", async () => {
    const target = join(dir, "quiet.md");
    const { fake } = parts({ canceled: false, filePath: target }, 0);
    await expect(createReportSaver(fake)({ format: "md", period: "day" })).resolves.toMatchObject({
      ok: true,
      path: target,
    });
    expect(await readFile(target, "utf8")).toMatch(/^# mcpscope report/);
    expect(fake.showMessageBox).not.toHaveBeenCalled();
    expect(fake.showItemInFolder).not.toHaveBeenCalled();
  });

  it("the engine itself refuses reports.save and files.save with one line", async () => {
    await expect(engine.invoke("reports.save", { format: "html" })).rejects.toThrow(
      /done by the desktop app/,
    );
    await expect(
      engine.invoke("files.save", { filename: "a.csv", mimeType: "text/csv", encoding: "utf8", content: "" }),
    ).rejects.toThrow(/done by the desktop app/);
  });
});
