/**
 * `logs patterns`, `events` and `events groups` with nothing to show say why, as `logs` and `calls` do: a
 * `--server` nothing was recorded under is a typo (exit 1, naming the known servers); filters that hide
 * everything are named, with how much there is in all; "yet" only when nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorFingerprint } from "../../electron/monitor/events/tracker.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { insertLogs, tempStore } from "../logs/store.js";

let store: Awaited<ReturnType<typeof tempStore>>;
beforeAll(async () => {
  store = await tempStore();
});
afterAll(() => store.cleanup());

const cli = (...args: string[]) => cliInProcess([...args, "--data-dir", store.dataDir]);

describe("empty answers under filters", () => {
  it("logs patterns: nothing yet, then filters named with the templates in all, and an unknown server refused", async () => {
    expect((await cli("logs", "patterns")).stdout).toContain(
      "No templates yet: they appear once servers wrapped with `mcpscope run` log something.",
    );
    insertLogs(store.db, [
      { server: "files", level: "info", message: "listing /tmp took 12 ms" },
      { server: "files", level: "info", message: "listing /var took 40 ms" },
      { server: "files", level: "warning", message: "slow disk on sda1" },
    ]);
    const all = await cli("logs", "patterns");
    expect(all.stdout).toContain("listing <*> took <*> ms");
    const templates = (await cli("logs", "patterns", "--json")).stdout;
    expect(JSON.parse(templates).storedTemplates).toBe(2);

    const hidden = await cli("logs", "patterns", "--server", "files", "--level", "emergency");
    expect(hidden).toMatchObject({ status: 0, stderr: "" });
    expect(hidden.stdout).toContain(
      "No templates match --server files --level emergency (2 templates in all).",
    );
    expect(
      (await cli("logs", "patterns", "--since", "2026-01-01", "--until", "2026-01-02")).stdout,
    ).toContain("No templates match --since 2026-01-01 --until 2026-01-02 (2 templates in all).");

    expect(await cli("logs", "patterns", "--server", "nope")).toEqual({
      status: 1,
      stdout: "",
      stderr: 'mcpscope logs: no server named "nope" has recorded logs; known: files, mcpscope\n',
    });
  });

  it("events and events groups: an unknown server refused, a known one's empty range named", async () => {
    const event = { type: "tool_error", server: "memory", message: "tool read_graph failed" };
    store.db
      .prepare(
        "INSERT INTO events (time, category, type, severity, server, message, fingerprint) VALUES (?, 'error', ?, 'high', ?, ?, ?)",
      )
      .run(Date.now() - 2 * 86_400_000, event.type, event.server, event.message, errorFingerprint(event));

    for (const command of [["events"], ["events", "groups"]]) {
      const unknown = await cli(...command, "--server", "nope");
      expect(unknown.status, command.join(" ")).toBe(1);
      expect(unknown.stdout).toBe("");
      expect(unknown.stderr).toMatch(
        /^mcpscope events: no server named "nope" has recorded events; known: files, memory\n$/,
      );
    }
    expect((await cli("events", "groups", "--server", "memory")).stdout).toBe(
      "No errors match --server memory.\n",
    );
    expect((await cli("events", "groups")).stdout).toBe("No errors in the last 24h; try a longer --since.\n");
    expect((await cli("events", "groups", "--since", "3d")).stdout).toContain("tool read_graph failed");
  });
});
