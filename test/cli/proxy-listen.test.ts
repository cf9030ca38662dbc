/**
 * `mcpscope proxy --listen`: an address that does not resolve is said in serve's words, and one open to the
 * network is warned about at start, with client URLs that work instead of the wildcard address (or, on a
 * machine with no network address, in words).
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { exposureWarning } from "../../electron/cli/commands/proxy.js";
import { startProxy } from "../helpers/http.js";
import { MCPSCOPE, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  dir = await tempDir();
});

afterAll(async () => {
  await dir?.cleanup();
});

it("says in one line that a --listen host does not resolve (exit 1)", () => {
  const result = spawnSync(
    process.execPath,
    [
      MCPSCOPE,
      "proxy",
      "--upstream",
      "http://127.0.0.1:1/mcp",
      "--listen",
      "nonexistent.invalid:4000",
      "--data-dir",
      dir.path,
    ],
    { encoding: "utf8", timeout: 20_000 },
  );
  expect(result.status).toBe(1);
  expect(result.stderr).toBe(
    "mcpscope proxy: cannot resolve nonexistent.invalid: pass --listen with an address of this machine\n",
  );
});

it("warns on stderr when it listens on every address, and prints a loopback URL for the client", async () => {
  const proxy = await startProxy("http://user:pw5ecret@127.0.0.1:1/mcp", dir.path, "wide", [
    "--listen",
    "0.0.0.0:0",
  ]);
  try {
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const warning = await waitFor(() => proxy.stderr().includes("\n") && proxy.stderr());
    expect(warning.trim().split("\n")).toHaveLength(1);
    expect(warning).toContain("the upstream is exposed to the network");
    expect(warning).not.toContain("0.0.0.0");
  } finally {
    await proxy.stop();
  }
});

it("names the URLs that reach an exposed proxy, or every address when the machine has none yet", () => {
  const urls = ["http://192.168.1.20:4000/mcp", "http://10.0.0.5:4000/mcp"];
  expect(exposureWarning(urls, 4000)).toContain(
    "exposed to the network at http://192.168.1.20:4000/mcp, http://10.0.0.5:4000/mcp;",
  );
  // A container or an offline machine: no address to give, and never the wildcard one as a URL.
  const none = exposureWarning([], 4000);
  expect(none).toContain("exposed to the network on every address of this machine, port 4000;");
  expect(none).not.toContain("0.0.0.0");
});

it("names the proxy as well as the wrapper when no call is stored yet", () => {
  const result = spawnSync(process.execPath, [MCPSCOPE, "calls", "--data-dir", dir.path], {
    encoding: "utf8",
    timeout: 20_000,
  });
  expect(result.stdout).toContain("`mcpscope proxy`");
});

it("teaches in --help that 0.0.0.0 exposes the upstream", () => {
  const help = spawnSync(process.execPath, [MCPSCOPE, "proxy", "--help"], { encoding: "utf8" }).stdout;
  expect(help).toContain("0.0.0.0:PORT exposes the upstream");
});
