/**
 * The rule file from a person's point of view: `rules check` names the line and key of a mistake,
 * `rules test` runs promtool-style unit tests on a virtual clock, and `alerts silence/silences/unsilence`
 * and `alerts test CHANNEL` work from the command line against the same store the app uses.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_RULES } from "../../electron/monitor/alerts/builtin-rules.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { ChannelInfo } from "../../shared/alerts.js";
import { cliInProcess, cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { ROOT, tempDir } from "../helpers/mcp.js";
import { startReceiver } from "./channels-fixtures.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

const RULES = `# my rules
evaluation_interval: 30s
rules:
  - name: errors
    kind: metric
    signal: error_rate
    by: [server, tool]
    window: 5m
    threshold: 20%
    for: 2m
    severity: critical
    summary: "{{tool}} on {{server}} fails {{value}} of calls"
  - name: slow-tool
    threshold: 2s
  - { name: crash-loop, enabled: false }
`;

async function fails(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const { status, stdout, stderr } = await cliInProcess(args);
  return { code: status, stderr, stdout };
}

describe("mcpscope rules", () => {
  it("check accepts a good file and summarises it", async () => {
    const file = join(dir.path, "alerts.yaml");
    writeFileSync(file, RULES);
    const { stdout } = await cliOkInProcess(["rules", "check", file]);
    const builtIn = BUILTIN_RULES.length;
    expect(stdout).toContain(
      `alerts.yaml: OK — ${1 + builtIn} rules (1 yours, ${builtIn} built in; disabled: crash-loop), 0 channels, 0 routes\n`,
    );
    // Without a FILE: the data dir's own alerts.yaml (here the same file).
    const own = await cliOkInProcess(["rules", "check", "--data-dir", dir.path]);
    expect(own.stdout).toBe(stdout);
  });

  it("check names the line and key of the first mistake, in one line, exit 1", async () => {
    const cases: [string, RegExp][] = [
      [
        RULES.replace("threshold: 20%", "threshold: lots"),
        /^mcpscope rules: bad\.yaml:9: rules\[0\]\.threshold: "lots" is not a threshold/,
      ],
      [
        RULES.replace("    for: 2m\n", "    for: 2m\n    fro: 1m\n"),
        /^mcpscope rules: bad\.yaml:4: rules\[0\]: unknown key "fro"/,
      ],
      [RULES.replace("kind: metric", "kind: magic"), /^mcpscope rules: bad\.yaml:5: rules\[0\]\.kind: /],
      [RULES.replace("severity: critical", "severity: [x"), /^mcpscope rules: bad\.yaml:\d+: /],
      [
        `${RULES}routes:\n  - channels: [pager]\n`,
        /^mcpscope rules: bad\.yaml:17: routes\[0\]\.channels\[0\]: no channel named "pager"/,
      ],
    ];
    for (const [text, pattern] of cases) {
      const file = join(dir.path, "bad.yaml");
      writeFileSync(file, text);
      const result = await fails(["rules", "check", file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("test passes when the rules fire as expected, and names what differs when not", async () => {
    writeFileSync(join(dir.path, "alerts.yaml"), RULES);
    const tests = (expectedAt: string) => `rule_files: [alerts.yaml]
tests:
  - name: errors fire after two minutes
    interval: 1m
    input_series:
      - series: 'error_rate{server="memory", tool="echo"}'
        values: "0 0.5x5 0x3"
      - series: 'error_rate{server="memory", tool="add"}'
        values: "0.1x9"
    alert_rule_test:
      - eval_time: 2m
        alertname: errors
        exp_alerts: []
      - eval_time: ${expectedAt}
        alertname: errors
        exp_alerts:
          - exp_labels: { server: memory, tool: echo, severity: critical }
            exp_summary: echo on memory fails 50% of calls
      - eval_time: 9m
        alertname: errors
`;
    const good = join(dir.path, "good.test.yaml");
    writeFileSync(good, tests("3m"));
    expect((await cliOkInProcess(["rules", "test", good])).stdout).toMatch(
      /^SUCCESS: 1 test, 3 checks, 0 failures$/m,
    );

    const bad = join(dir.path, "bad.test.yaml");
    writeFileSync(bad, tests("2m30s"));
    const result = await fails(["rules", "test", bad]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "FAILED errors fire after two minutes: at 150s, errors: expected firing:",
    );
    expect(result.stdout).toContain("got: none");
  });
});

describe("the docs' examples", () => {
  it("the alerts.yaml example loads, and the rules test example passes against it", async () => {
    const block = (doc: string, after: string) => {
      const text = readFileSync(join(ROOT, "docs", doc), "utf8");
      return text.slice(text.indexOf(after)).split("```yaml\n")[1]?.split("```")[0] ?? "";
    };
    const example = join(dir.path, "readme-alerts.yaml");
    writeFileSync(example, block("alerts.md", "# Alerts").replaceAll("…", "x"));
    expect((await cliOkInProcess(["rules", "check", example])).stdout).toContain(
      `OK — ${6 + BUILTIN_RULES.length} rules (6 yours`,
    );
    writeFileSync(
      join(dir.path, "alerts.yaml"),
      'rules:\n  - { name: errors, kind: metric, signal: error_rate, threshold: 20%, for: 2m, severity: critical,\n      summary: "{{tool}} on {{server}} fails {{value}} of calls" }\n',
    );
    const tests = join(dir.path, "readme.test.yaml");
    writeFileSync(tests, block("cli.md", "## `mcpscope rules check"));
    expect((await cliOkInProcess(["rules", "test", tests])).stdout).toMatch(/^SUCCESS/);
  });
});

describe("mcpscope alerts", () => {
  it("silence, silences and unsilence share the store with the app", async () => {
    const d = ["--data-dir", dir.path];
    const { silence } = await cliJsonInProcess<{
      silence: { id: string; matchers: unknown[]; active: boolean };
    }>([
      "alerts",
      "silence",
      "alertname=errors",
      "server=~mem.*",
      "--for",
      "2h",
      "--comment",
      "deploying",
      ...d,
    ]);
    expect(silence.active).toBe(true);
    expect(silence.matchers).toEqual([
      { name: "alertname", op: "=", value: "errors" },
      { name: "server", op: "=~", value: "mem.*" },
    ]);
    const listed = await cliJsonInProcess<{ silences: { id: string }[] }>(["alerts", "silences", ...d]);
    expect(listed.silences.map((s) => s.id)).toContain(silence.id);
    expect((await cliOkInProcess(["alerts", "unsilence", silence.id, ...d])).stdout).toMatch(/expired/);
    const after = await cliJsonInProcess<{ silences: { id: string }[] }>(["alerts", "silences", ...d]);
    expect(after.silences.map((s) => s.id)).not.toContain(silence.id);
    const again = await fails(["alerts", "unsilence", silence.id, ...d]);
    expect(again.code).toBe(1);
    const bad = await fails(["alerts", "silence", "server~~x", ...d]);
    expect([bad.code, bad.stderr.trim()]).toEqual([
      2,
      'mcpscope alerts: "server~~x" is not a matcher; use name=value, name!=value, name=~regex',
    ]);
  });

  it("test CHANNEL sends a test notification to a real receiver and prints the attempt", async () => {
    const rx = await startReceiver();
    try {
      writeFileSync(
        join(dir.path, "alerts.yaml"),
        `${RULES}channels:\n  - { name: hook, type: webhook, url: "${rx.url}/in" }\n`,
      );
      const { stdout } = await cliOkInProcess(["alerts", "test", "hook", "--data-dir", dir.path]);
      expect(stdout).toMatch(/^attempt 1: delivered \(HTTP 200\)/);
      expect(stdout).toMatch(/hook: delivered/);
      expect(rx.requests).toHaveLength(1);
      expect(JSON.parse(rx.requests[0]?.body ?? "{}")).toMatchObject({ status: "test", receiver: "hook" });
      const unknown = await fails(["alerts", "test", "pager", "--data-dir", dir.path]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/no channel named pager; known: desktop, hook/);
      // The app's Channels list shows that test as the channel's last one.
      const engine = await createEngine({ dataDir: dir.path, inventory: false });
      try {
        const doc = (await engine.invoke("alerts.channels", {})) as { channels: ChannelInfo[] };
        const hook = doc.channels.find((c) => c.name === "hook");
        expect(hook?.lastTest).toMatchObject({ kind: "test", status: "delivered", channel: "hook" });
        expect(doc.channels.find((c) => c.name === "desktop")?.lastTest).toBeNull();
      } finally {
        await engine.close();
      }
    } finally {
      await rx.close();
    }
  });
});
