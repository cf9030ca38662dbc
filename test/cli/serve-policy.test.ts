/**
 * `mcpscope serve`'s side of the request policy: `--allow-commands` is explained by `--help`, said at
 * start, and lets the browser define a program that then runs; a `--listen` name that does not resolve is
 * one line, exit 1.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { type Serve, startServe } from "../ui/browser.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir("mcpscope-serve-policy-");
});
afterAll(() => dir.cleanup());

describe("serve --allow-commands", () => {
  let serve: Serve | undefined;
  afterAll(() => serve?.stop());

  it("is explained by --help with its risk", async () => {
    const run = await cliInProcess(["serve", "--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/--allow-commands +.*anyone with the token can then run any program as you/);
  });

  it("says so at start, and the browser's command channel then runs", async () => {
    const marker = join(dir.path, "ran");
    serve = await startServe(join(dir.path, "data"), process.env, "127.0.0.1:0", ["--allow-commands"]);
    expect(serve.output()).toContain(
      "mcpscope: --allow-commands is on: anyone with the token can make this machine run any program as you\n",
    );
    const token = new URL(serve.url).hash.replace("#token=", "");
    const call = async (method: string, input: unknown) => {
      const res = await fetch(`${serve?.origin}/api/${method}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(input),
      });
      return (await res.json()) as { result?: { ok?: boolean; status?: string }; error?: unknown };
    };
    const yaml = `name: script\ntype: command\ncommand: /usr/bin/touch\nargs: [${JSON.stringify(marker)}]\n`;
    expect((await call("alerts.channels.put", { yaml })).result).toMatchObject({ ok: true });
    expect((await call("alerts.test", { channel: "script" })).result?.status).toBe("delivered");
    expect(existsSync(marker)).toBe(true);
  });
});

describe("serve --listen", () => {
  it("names a host that does not resolve in one line, exit 1", async () => {
    const run = await cliInProcess([
      "serve",
      "--listen",
      "bogus.invalid:7800",
      "--data-dir",
      join(dir.path, "listen"),
    ]);
    expect(run.stderr).toBe(
      "mcpscope serve: cannot resolve bogus.invalid: pass --listen with an address of this machine\n",
    );
    expect(run.status).toBe(1);
  });
});
