/**
 * The UI's edits of alerts.yaml: one entry at a time, comments and the rest kept, never a file that would
 * not load; secrets never leave the engine (masked in the channel's YAML and the file text) and a masked
 * secret saved back keeps the stored one.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertManager } from "../../electron/monitor/alerts/alert-manager.js";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { harness, openStore, VirtualClock } from "./alert-fixtures.js";

const FILE = `# team alerting — edited by hand too
evaluation_interval: 30s
rules:
  # the one that matters
  - { name: errors, kind: metric, signal: error_rate, threshold: 20% }
channels:
  - name: ops
    type: webhook
    url: https://hooks.example.com/in
    secret: hunter2
    headers: { Authorization: Bearer tok-123 }
`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
let manager: AlertManager;
beforeEach(async () => {
  dir = await tempDir();
  db = openStore(dir.path);
  writeFileSync(join(dir.path, "alerts.yaml"), FILE);
  const clock = new VirtualClock();
  manager = harness(
    dir.path,
    db,
    clock,
    new SeriesSignalSource([], 60_000),
    {},
    { createChannel: undefined },
  ).manager;
});
afterEach(async () => {
  manager.close();
  db.close();
  await dir.cleanup();
});

const fileText = () => readFileSync(join(dir.path, "alerts.yaml"), "utf8");

describe("editing alerts.yaml from the app", () => {
  it("adds and replaces a rule in place, keeping comments, and refuses one that does not validate", () => {
    const result = manager.putRule("name: slow\nkind: metric\nsignal: latency_p95\nthreshold: 2s\n");
    expect(result.ok).toBe(true);
    expect(fileText()).toContain("# the one that matters");
    expect(fileText()).toContain("# team alerting — edited by hand too");
    expect(manager.rules().rules.find((r) => r.name === "slow")?.yaml).toBe(
      "name: slow\nkind: metric\nsignal: latency_p95\nthreshold: 2s\n",
    );
    const before = fileText();
    expect(() => manager.putRule("name: slow\nkind: metric\nsignal: latency_p95\nthreshold: soon\n")).toThrow(
      /rule\.threshold: "soon" is not a threshold/,
    );
    expect(fileText()).toBe(before);
    // A value outside a list is refused in plain words.
    expect(() => manager.putRule("name: slow\nkind: metric\nsignal: calls\nthreshold: 2\n")).toThrow(
      /^rule\.signal: must be one of error_rate, call_rate, latency_p50/,
    );
    expect(manager.removeRule("slow").ok).toBe(true);
    expect(manager.removeRule("server-down").message).toBe("rule server-down disabled");
    expect(manager.rules().rules.find((r) => r.name === "server-down")?.enabled).toBe(false);
  });

  it("edits one entry in place: every other byte of the file stays as the user wrote it", () => {
    const original = `# my alerting config — keep this comment
evaluation_interval: 15s   # fast
channels:
  - { name: ops, type: webhook, url: "https://hooks.example.com/in", secret: "shared-secret" }   # team hook
rules:
  # tune built-in
  - { name: slow-tool, threshold: 2s }      # adjust a built-in
  - name: mine
    kind: metric
    signal: error_rate
    threshold: 10%   # ten percent
    for: 1m
routes:
  - {matchers: [severity=critical], channels: [ops], group_by: [server, tool]}
`;
    writeFileSync(join(dir.path, "alerts.yaml"), original);
    const edited = "name: mine\nkind: metric\nsignal: error_rate\nthreshold: 15%\nfor: 1m\n";
    expect(manager.putRule(edited, "mine").ok).toBe(true);
    expect(manager.putRule("name: qa-new\nkind: metric\nsignal: latency_p95\nthreshold: 2s\n").ok).toBe(true);
    expect(fileText()).toBe(
      original.replace(
        "    threshold: 10%   # ten percent\n    for: 1m\n",
        "    threshold: 15%\n    for: 1m\n  - name: qa-new\n    kind: metric\n    signal: latency_p95\n    threshold: 2s\n",
      ),
    );
    expect(manager.rules().rules.find((r) => r.name === "mine")?.yaml).toContain("threshold: 15%");
  });

  it("gives each rule's condition in one line, values formatted as its summaries are", () => {
    manager.putRule(
      "name: slow\nkind: metric\nsignal: latency_p95\nthreshold: 2s\nwindow: 10m\nfor: 1m\nserver: files\n",
    );
    manager.putRule("name: noisy\nkind: logs\nlevel: error\nmatch: ENOENT\nthreshold: 5\n");
    const condition = (name: string) => manager.rules().rules.find((r) => r.name === name)?.condition;
    expect(condition("errors")).toBe("error_rate > 20% over 5 min by server, tool");
    expect(condition("slow")).toBe("latency_p95 > 2.0 s over 10 min by server, tool on files for 1 min");
    expect(condition("noisy")).toBe('log lines ≥ error matching "ENOENT" > 5 over 5 min');
    // A built-in that needs a minimum of calls says so: one slow call does not fire slow-tool.
    expect(condition("slow-tool")).toBe(
      "latency_p95 > 5.0 s over 5 min by server, tool with at least 5 calls for 2 min",
    );
    expect(condition("server-down")).toMatch(/^health is down/);
  });

  it("shows channels and the file with secrets masked, and keeps a masked secret when saved back", () => {
    const [, ops] = manager.channelsDocument().channels;
    expect(ops?.yaml).not.toMatch(/hunter2|tok-123/);
    expect(ops?.yaml).toContain("secret: ••••••");
    expect(manager.rules().text).not.toMatch(/hunter2|tok-123/);
    expect(manager.rules().text).toContain("# the one that matters");

    // Edited in the UI: a new URL, the secret and headers left masked.
    const edited = (ops?.yaml ?? "").replace("https://hooks.example.com/in", "https://hooks.example.com/v2");
    expect(manager.putChannel(edited, "ops").ok).toBe(true);
    const text = fileText();
    expect(text).toContain("https://hooks.example.com/v2");
    expect(text).toContain("hunter2");
    expect(text).toContain("tok-123");
    expect(() =>
      manager.putChannel("name: new\ntype: webhook\nurl: https://x.example\nsecret: ••••••\n"),
    ).toThrow(/channel\.secret: enter the secret/);
  });

  it("shows a rule as the user wrote it, comments included, and saves the user's own text back", () => {
    const original = `rules:
  # above the entry: never touched
  - # why: the billing server pages at night
    name: mine   # mine
    kind: metric
    # the signal the team agreed on
    signal: error_rate
    threshold: 10%   # ten percent
  - name: other
    kind: metric
    signal: latency_p95
    threshold: 2s
`;
    writeFileSync(join(dir.path, "alerts.yaml"), original);
    const shown = manager.rules().rules.find((r) => r.name === "mine")?.yaml ?? "";
    expect(shown).toBe(
      "# why: the billing server pages at night\nname: mine   # mine\nkind: metric\n" +
        "# the signal the team agreed on\nsignal: error_rate\nthreshold: 10%   # ten percent\n",
    );

    // Edited in the editor: a new threshold, a new comment, the rest as it was.
    const edited = shown.replace("10%   # ten percent", "15%   # fifteen, after the March incident");
    expect(manager.putRule(edited, "mine").ok).toBe(true);
    expect(fileText()).toBe(
      original.replace("10%   # ten percent", "15%   # fifteen, after the March incident"),
    );
    expect(manager.rules().rules.find((r) => r.name === "mine")?.yaml).toBe(edited);

    // Its comment removed in the editor is removed from the file; the comment above the dash stays.
    const bare = "name: mine\nkind: metric\nsignal: error_rate\nthreshold: 15%\n";
    expect(manager.putRule(bare, "mine").ok).toBe(true);
    expect(fileText()).toBe(
      "rules:\n  # above the entry: never touched\n  - name: mine\n    kind: metric\n    signal: error_rate\n" +
        "    threshold: 15%\n  - name: other\n    kind: metric\n    signal: latency_p95\n    threshold: 2s\n",
    );

    // A new rule from a template keeps the template's comments.
    const added = "name: quiet\nkind: metric   # from the template\nsignal: call_rate\nthreshold: 0\n";
    expect(manager.putRule(added).ok).toBe(true);
    expect(
      fileText().endsWith(
        "  - name: quiet\n    kind: metric   # from the template\n    signal: call_rate\n    threshold: 0\n",
      ),
    ).toBe(true);
  });

  it("prints an entry whose own text would not read the same inside the list, and shows flow entries printed", () => {
    // A document marker reads as one rule alone, but not inside the file's list: the rule is printed.
    expect(manager.putRule("---\nname: marked\nkind: metric\nsignal: call_rate\nthreshold: 3\n").ok).toBe(
      true,
    );
    expect(fileText()).toContain(
      "  - name: marked\n    kind: metric\n    signal: call_rate\n    threshold: 3\n",
    );
    expect(fileText()).not.toContain("---");
    // The file's flow-style rule is shown printed, in block style, so that the editor can change it.
    expect(manager.rules().rules.find((r) => r.name === "errors")?.yaml).toBe(
      "name: errors\nkind: metric\nsignal: error_rate\nthreshold: 20%\n",
    );
  });
});
