/**
 * The Markdown report shows names a server or client chose as text: a server named like an SVG tag, a
 * client named like an image tag and tools named like HTML, a Markdown image and a table cell, all
 * recorded through `mcpscope run` from real server-everything calls, come out as entities and escapes that
 * GitHub renders literally.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markdownText } from "../../electron/monitor/reports/render/markdown.js";
import type { CallSummary } from "../../shared/domain.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { MCPSCOPE, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

const SERVER = `<svg onload=alert('srv')>`;
const CLIENT = `<img src=x onerror=alert('client')>`;
const TOOLS = [`<img src=x onerror=alert('tool')>`, "![t](https://attacker.example/t.png)", "a|b & <c>"];

describe("the Markdown report with hostile names", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let md: string;

  beforeAll(async () => {
    dir = await tempDir();
    const since = new Date(Date.now() - 1000).toISOString();
    const client = new Client({ name: CLIENT, version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [
          MCPSCOPE,
          "run",
          "--name",
          SERVER,
          "--data-dir",
          dir.path,
          "--",
          process.execPath,
          ...SERVERS.everything(),
        ],
        stderr: "pipe",
      }),
    );
    await client.callTool({ name: "echo", arguments: { message: "hi" } });
    for (const name of TOOLS) await client.callTool({ name, arguments: {} }).catch(() => {});
    // Closed once the calls are stored, as the wrapper promises while the session lasts: the client's close
    // gives it 2 s before SIGTERM, which its backlog can outlast on a loaded machine.
    await waitFor(async () => {
      const { calls } = await cliJsonInProcess<{ calls: CallSummary[] }>([
        "calls",
        "--data-dir",
        dir.path,
        "--since",
        since,
      ]);
      return calls.filter((c) => c.method === "tools/call").length === TOOLS.length + 1;
    });
    await client.close();
    const out = await cliOkInProcess([
      "report",
      "--since",
      since,
      "--format",
      "md",
      "--output",
      "-",
      "--data-dir",
      dir.path,
    ]);
    md = out.stdout;
  }, 60_000);

  afterAll(async () => {
    await dir.cleanup();
  });

  it("writes no raw tag, image or link a name carried", () => {
    expect(md).not.toMatch(/<(svg|img)\b/i);
    expect(md).not.toContain("![t](");
    expect(md).toContain("&lt;svg onload=alert('srv')&gt;");
    expect(md).toContain("&lt;img src=x onerror=alert('client')&gt;");
    expect(md).toContain("&lt;img src=x onerror=alert('tool')&gt;");
    expect(md).toContain("!\\[t\\](https&#58;//attacker.example/t.png)");
  });

  it("keeps each table row whole: a | in a tool name is escaped", () => {
    const row = md.split("\n").find((l) => l.includes("a\\|b &amp; &lt;c&gt;"));
    expect(row).toBeDefined();
    const header = md.split("\n").find((l) => l.startsWith("| Server | Tool |"));
    const cells = (line: string) => line.split(/(?<!\\)\|/).length;
    expect(cells(row ?? "")).toBe(cells(header ?? ""));
  });

  it("escapes what GitHub would read as markup, and nothing that is plain text", () => {
    // GitHub shows `\_` as `_`, so a name keeps its look; `__init__` unescaped would show a bold "init".
    expect(markdownText("read_graph")).toBe("read\\_graph");
    expect(markdownText("__init__")).toBe("\\_\\_init\\_\\_");
    expect(markdownText("_a_ ~~gone~~")).toBe("\\_a\\_ \\~\\~gone\\~\\~");
    expect(markdownText("a & b")).toBe("a &amp; b");
    expect(markdownText("`x` *y* [z]")).toBe("\\`x\\` \\*y\\* \\[z\\]");
    expect(markdownText("one\ntwo\r\nthree")).toBe("one two three");
    expect(markdownText("back\\slash")).toBe("back\\\\slash");
  });

  it("breaks the bare URLs GitHub would make links, and shows them as written", () => {
    expect(markdownText("see https://attacker.example/x")).toBe("see https&#58;//attacker.example/x");
    expect(markdownText("www.attacker.example")).toBe("www\\.attacker.example");
    expect(markdownText("WWW.attacker.example")).toBe("WWW\\.attacker.example");
    // A colon that starts no URL is left alone.
    expect(markdownText("error: 12:30")).toBe("error: 12:30");
  });
});
