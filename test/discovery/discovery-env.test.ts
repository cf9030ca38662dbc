/**
 * The environment variables that move where discovery looks are listed once, and the UI tests' isolated
 * home leaves out every one of them, so a developer's own client configs never reach those tests.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DISCOVERY_ENV } from "../../electron/monitor/discovery/platform-paths.js";
import { ROOT } from "../helpers/mcp.js";
import { isolatedHomeEnv } from "../helpers/ui-fixture.js";

const DISCOVERY = join(ROOT, "electron", "monitor", "discovery");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const saved = { ...process.env };
afterEach(() => {
  for (const name of DISCOVERY_ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe("the discovery environment", () => {
  it("lists every variable a client reader takes a place from", () => {
    const read = new Set(
      sources(DISCOVERY).flatMap((file) =>
        [...readFileSync(file, "utf8").matchAll(/ctx\.env\.([A-Z_]+)/g)].map((m) => m[1] as string),
      ),
    );
    expect(read.size).toBeGreaterThan(3);
    for (const name of read) expect(DISCOVERY_ENV).toContain(name);
  });

  it("is left out of the UI tests' isolated home", () => {
    for (const name of DISCOVERY_ENV) process.env[name] = "/somewhere/else";
    const env = isolatedHomeEnv("/tmp/home");
    expect(env.HOME).toBe("/tmp/home");
    for (const name of DISCOVERY_ENV) expect(env[name]).toBeUndefined();
  });
});
