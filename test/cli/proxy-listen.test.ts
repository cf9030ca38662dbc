/**
 * `mcpscope proxy --listen`: an address that does not resolve is said in serve's words, and one open to the
 * network is warned about at start, with client URLs that work instead of the wildcard address.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
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
    expect(warning).not.toContain("pw5ecret");
  } finally {
    await proxy.stop();
  }
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
