/** The login-shell environment servers are launched with. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LoginShellEnv, mergeLaunchEnv, parseNulEnv } from "../../electron/monitor/shell-env.js";

const home = mkdtempSync(join(tmpdir(), "mcpscope-home-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("the login shell's environment", () => {
  it("parses env -0 output, keeping newlines in values and dropping the shell's own variables", () => {
    expect(parseNulEnv("PATH=/a:/b\0MULTI=one\ntwo\0_=/usr/bin/env\0SHLVL=2\0EMPTY=\0=junk\0")).toEqual({
      PATH: "/a:/b",
      MULTI: "one\ntwo",
      EMPTY: "",
    });
  });

  it("reads a real login shell once, skipping what its rc files print", async () => {
    writeFileSync(
      join(home, ".bash_profile"),
      'echo "Welcome back!"\nexport PATH="/opt/fake-tools/bin:/usr/bin:/bin"\nexport GREETING=$\'multi\\nline\'\n',
    );
    const warnings: string[] = [];
    const shellEnv = new LoginShellEnv({
      platform: "linux",
      baseEnv: { SHELL: "/bin/bash", HOME: home, PATH: "/nowhere", ONLY_OURS: "kept" },
      onWarning: (w) => warnings.push(w),
    });
    const env = await shellEnv.get();
    expect(env.PATH).toBe("/opt/fake-tools/bin:/usr/bin:/bin");
    expect(env.GREETING).toBe("multi\nline");
    expect(env.ONLY_OURS).toBe("kept");
    expect(env).not.toHaveProperty("SHLVL");
    expect(warnings).toEqual([]);
    expect(await shellEnv.get()).toBe(env);
  });

  it("falls back to its own environment, with one warning, when the shell hangs", async () => {
    const slowHome = mkdtempSync(join(home, "slow-"));
    writeFileSync(join(slowHome, ".bash_profile"), "sleep 30\n");
    const warnings: string[] = [];
    // The profile sleeps 30 s: the fallback environment and the warning show the 300 ms timeout ended it.
    const env = await new LoginShellEnv({
      platform: "linux",
      baseEnv: { SHELL: "/bin/bash", HOME: slowHome, PATH: "/usr/bin" },
      timeoutMs: 300,
      onWarning: (w) => warnings.push(w),
    }).get();
    expect(env).toEqual({ SHELL: "/bin/bash", HOME: slowHome, PATH: "/usr/bin" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^cannot read the login shell's environment \(\/bin\/bash: no answer within 300 ms\);/,
    );
    expect(warnings[0]).not.toContain("\n");
  });

  it("does not run a shell on Windows", async () => {
    let ran = false;
    const env = await new LoginShellEnv({
      platform: "win32",
      baseEnv: { Path: "C:\\Windows" },
      run: async () => {
        ran = true;
        return Buffer.alloc(0);
      },
    }).get();
    expect(ran).toBe(false);
    expect(env).toEqual({ Path: "C:\\Windows" });
  });

  it("launches with the server's env over the login env, without the Electron host's switches", () => {
    expect(
      mergeLaunchEnv(
        { PATH: "/usr/bin", ELECTRON_RUN_AS_NODE: "1", API_KEY: "old" },
        { API_KEY: "new", EXTRA: "x" },
      ),
    ).toEqual({ PATH: "/usr/bin", API_KEY: "new", EXTRA: "x" });
  });
});
