/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`, its active server scenarios)
 * against two Streamable HTTP servers, directly and through `mcpscope proxy`: every check must come out
 * the same both ways (but one: the proxy refuses a foreign Host itself, so the DNS-rebinding probe is
 * refused through it even when the upstream lets it in), and the direct result must match the baseline
 * below, so that a new server or suite release that changes it shows here first. The fixture server offers everything the scenarios call, so
 * each scenario's traffic (progress, logging, sampling and elicitation on the call's stream, the
 * DNS-rebinding probe) really crosses the proxy; server-everything names its tools and resources
 * differently, so most of its scenarios fail, the same way through the proxy.
 *
 * The whole active suite takes a few seconds per run on an idle machine, so no subset is picked; the
 * two upstreams run side by side.
 */
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Child, startEverything, startHttpServer, startProxy, storedCalls } from "../helpers/http.js";
import { ROOT, tempDir, waitFor } from "../helpers/mcp.js";

const require = createRequire(import.meta.url);
const CONFORMANCE = join(
  dirname(require.resolve("@modelcontextprotocol/conformance/package.json")),
  "dist/index.js",
);

type Status = "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
/** Scenario → check id → status. */
type Checks = Record<string, Record<string, Status>>;

const SCENARIOS = [
  "server-initialize",
  "logging-set-level",
  "ping",
  "completion-complete",
  "tools-list",
  "tools-call-simple-text",
  "tools-call-image",
  "tools-call-audio",
  "tools-call-embedded-resource",
  "tools-call-mixed-content",
  "tools-call-with-logging",
  "tools-call-error",
  "tools-call-with-progress",
  "tools-call-sampling",
  "tools-call-elicitation",
  "elicitation-sep1034-defaults",
  "server-sse-multiple-streams",
  "elicitation-sep1330-enums",
  "resources-list",
  "resources-read-text",
  "resources-read-binary",
  "resources-templates-read",
  "resources-subscribe",
  "resources-unsubscribe",
  "prompts-list",
  "prompts-get-simple",
  "prompts-get-with-args",
  "prompts-get-embedded-resource",
  "prompts-get-with-image",
  "dns-rebinding-protection",
];

/** Conformance 0.1.16's active suite, scenario by scenario, per upstream. */
const BASELINE: Record<Upstream, Record<string, "pass" | "fail">> = {
  fixture: Object.fromEntries(SCENARIOS.map((s) => [s, "pass"])),
  // The suite calls `test_image_content`, `test://static-text`, … which server-everything does not
  // have; and it accepts any Host, so the DNS-rebinding probe gets 200.
  everything: Object.fromEntries(
    SCENARIOS.map((s) => [
      s,
      [
        "server-initialize",
        "logging-set-level",
        "ping",
        "tools-list",
        "tools-call-simple-text",
        "tools-call-error",
        "server-sse-multiple-streams",
        "resources-list",
        "resources-subscribe",
        "resources-unsubscribe",
        "prompts-list",
      ].includes(s)
        ? "pass"
        : "fail",
    ]),
  ),
};

/** Runs the active server suite against `url`; the suite exits 1 when any scenario fails, so the exit code says nothing here. */
async function runSuite(url: string, outDir: string): Promise<Checks> {
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      [CONFORMANCE, "server", "--url", url, "--output-dir", outDir],
      { cwd: outDir, env: { ...process.env, NO_PROXY: "127.0.0.1,localhost" }, maxBuffer: 16 << 20 },
      (error) => {
        if (error && typeof error.code !== "number") reject(error);
        else resolve();
      },
    );
  });
  const checks: Checks = {};
  for (const entry of await readdir(outDir)) {
    // One directory per scenario: server-<scenario>-<ISO time with : and . as ->.
    const scenario = /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(entry)?.[1];
    if (!scenario) continue;
    const list = JSON.parse(await readFile(join(outDir, entry, "checks.json"), "utf8")) as {
      id: string;
      status: Status;
    }[];
    checks[scenario] = Object.fromEntries(list.map((check) => [check.id, check.status]));
  }
  return checks;
}

function verdicts(checks: Checks): Record<string, "pass" | "fail"> {
  return Object.fromEntries(
    Object.entries(checks).map(([scenario, byId]) => [
      scenario,
      Object.values(byId).includes("FAILURE") ? "fail" : "pass",
    ]),
  );
}

type Upstream = "fixture" | "everything";
const UPSTREAMS: Upstream[] = ["fixture", "everything"];

let dir: Awaited<ReturnType<typeof tempDir>>;
const children: Child[] = [];
const results = {} as Record<Upstream, { direct: Checks; proxied: Checks }>;

async function outDir(name: string): Promise<string> {
  const path = join(dir.path, name);
  await mkdir(path, { recursive: true });
  return path;
}

/** Both runs against one upstream, one after the other; the upstreams are measured side by side. */
async function measure(upstream: Upstream): Promise<void> {
  const server =
    upstream === "fixture"
      ? await startHttpServer([join(ROOT, "test/fixtures/conformance-server.mjs")], "/mcp")
      : await startEverything("streamableHttp");
  children.push(server);
  const proxy = await startProxy(server.url, await outDir(`data-${upstream}`), upstream);
  children.push(proxy);
  const direct = await runSuite(server.url, await outDir(`direct-${upstream}`));
  const proxied = await runSuite(proxy.url, await outDir(`proxied-${upstream}`));
  results[upstream] = { direct, proxied };
}

beforeAll(async () => {
  dir = await tempDir();
  await Promise.all(UPSTREAMS.map(measure));
}, 120_000);

afterAll(async () => {
  // Each proxy before its upstream (it was pushed after it).
  for (const child of children.reverse()) await child.stop();
  await dir?.cleanup();
});

describe.each(UPSTREAMS)("the MCP conformance suite through mcpscope proxy, upstream %s", (upstream) => {
  it("passes and fails the same checks through the proxy as directly", () => {
    const { direct, proxied } = results[upstream];
    expect(Object.keys(direct).sort()).toEqual([...SCENARIOS].sort());
    // One deliberate difference: the proxy refuses a foreign Host itself, whatever the upstream does.
    const rebinding = "dns-rebinding-protection";
    expect(proxied).toEqual({
      ...direct,
      [rebinding]: { ...direct[rebinding], "localhost-host-rebinding-rejected": "SUCCESS" },
    });
  });

  it("gives the recorded baseline directly", () => {
    expect(verdicts(results[upstream].direct)).toEqual(BASELINE[upstream]);
  });

  it("recorded the suite's traffic through the proxy", async () => {
    const wanted = ["initialize", "ping", "tools/list", "tools/call", "resources/subscribe", "prompts/get"];
    if (upstream === "fixture") wanted.push("sampling/createMessage", "elicitation/create");
    const methods = await waitFor(() => {
      const seen = new Set(storedCalls(join(dir.path, `data-${upstream}`), upstream).map((c) => c.method));
      return wanted.every((m) => seen.has(m)) ? seen : undefined;
    });
    expect([...methods]).toEqual(expect.arrayContaining(wanted));
  });
});
