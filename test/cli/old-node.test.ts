/**
 * `mcpscope` started by a Node too old for node:sqlite (the shebang's `node` on a machine with Node 20)
 * runs itself on the project's own Node 24: output, exit code, signals and the wrapper's byte stream pass
 * through unchanged. Where there is no such Node, it says in one line what it needs. The tap, loaded by a
 * program on that Node, passes its traffic and says which Node recording needs.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MCPSCOPE, ROOT, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

/** The system's Node when it is older than 22.13 (Node 20 on this machine), else null. */
function oldSystemNode(): string | null {
  for (const node of ["/usr/bin/node", "/usr/local/bin/node"]) {
    try {
      const version = execFileSync(node, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
      const [major = 0, minor = 0] = version.split(".").map(Number);
      if (major < 22 || (major === 22 && minor < 13)) return node;
    } catch {}
  }
  return null;
}

const OLD = oldSystemNode();
if (!OLD) console.warn("old-node.test.ts: SKIPPED — no Node older than 22.13 on this machine to test with");

let tmp: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await tempDir("mcpscope-old-node-");
});
afterAll(() => tmp.cleanup());

describe.skipIf(!OLD)("mcpscope on an old system Node", () => {
  const old = OLD ?? "";

  it("answers from the project's Node 24, with the command's exit code", async () => {
    const data = join(tmp.path, "stats");
    await mkdir(data);
    const stats = spawnSync(old, [MCPSCOPE, "stats", "--data-dir", data, "--json"], { encoding: "utf8" });
    expect(stats.stderr).toBe("");
    expect(stats.status).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ servers: [] });
    const bad = spawnSync(old, [MCPSCOPE, "stats", "--nosuch"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      "mcpscope stats: unknown flag --nosuch for `mcpscope stats`; see `mcpscope stats --help`\n",
    );
  });

  it("records a real server's calls through `run`", async () => {
    const data = join(tmp.path, "run");
    const transport = new StdioClientTransport({
      command: old,
      args: [
        MCPSCOPE,
        "run",
        "--name",
        "everything",
        "--data-dir",
        data,
        "--",
        process.execPath,
        ...SERVERS.everything(),
      ],
      env: { PATH: process.env.PATH ?? "" },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: "old-node-test", version: "1.0.0" });
    await client.connect(transport);
    for (let i = 0; i < 3; i++) await client.callTool({ name: "echo", arguments: { message: `m${i}` } });
    await client.close();
    expect(stderr).not.toMatch(/recording is off|node:sqlite|ExperimentalWarning/);
    const stats = spawnSync(process.execPath, [MCPSCOPE, "stats", "--data-dir", data, "--json"], {
      encoding: "utf8",
    });
    const echo = (
      JSON.parse(stats.stdout) as {
        servers: Array<{ operations: Array<{ target: string | null; calls: number }> }>;
      }
    ).servers
      .flatMap((s) => s.operations)
      .find((op) => op.target === "echo");
    expect(echo?.calls).toBe(3);
  });

  it("passes a signal to the command and exits as the command does", async () => {
    const server =
      "process.on('SIGTERM', () => { process.stdout.write('got SIGTERM\\n'); process.exit(7); }); process.stdout.write('ready\\n'); setInterval(() => {}, 1000);";
    const child = spawn(
      old,
      [
        MCPSCOPE,
        "run",
        "--name",
        "sig",
        "--data-dir",
        join(tmp.path, "sig"),
        "--",
        process.execPath,
        "-e",
        server,
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    let out = "";
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("ready\n")) resolve();
      });
    });
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
    expect(out).toBe("ready\ngot SIGTERM\n");
    expect(code).toBe(7);
  });

  it("reports the command's death by a signal as 128 + its number, as `run` reports its server's", () => {
    // The server kills its parent, the wrapper running on the project's Node, and exits.
    const result = spawnSync(
      old,
      [
        MCPSCOPE,
        "run",
        "--data-dir",
        join(tmp.path, "killed"),
        "--",
        process.execPath,
        "-e",
        "process.kill(process.ppid, 'SIGKILL')",
      ],
      { encoding: "utf8" },
    );
    expect(result.signal).toBeNull();
    expect(result.status).toBe(137);
  });

  it("stops when its launcher is killed by a signal it cannot pass on (SIGKILL)", async () => {
    const launcher = spawn(
      old,
      [MCPSCOPE, "serve", "--data-dir", join(tmp.path, "orphan"), "--listen", "127.0.0.1:0"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    await new Promise<void>((resolve) => {
      launcher.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("serving http://")) resolve();
      });
    });
    // The engine serving is the launcher's child, on the project's Node.
    const pid = Number(readFileSync(`/proc/${launcher.pid}/task/${launcher.pid}/children`, "utf8").trim());
    expect(pid).toBeGreaterThan(0);
    launcher.kill("SIGKILL");
    // Gone, or a zombie waiting for a reaper: either way no longer serving.
    const running = () => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
      } catch {
        return false;
      }
    };
    try {
      await waitFor(() => !running());
    } finally {
      if (running()) process.kill(pid, "SIGKILL");
    }
  });

  it("without the project's own Node, says in one line what it needs and exits 1", async () => {
    const install = join(tmp.path, "bare");
    await mkdir(join(install, "bin"), { recursive: true });
    await copyFile(MCPSCOPE, join(install, "bin", "mcpscope.js"));
    await copyFile(join(ROOT, "package.json"), join(install, "package.json"));
    const run = spawnSync(old, [join(install, "bin", "mcpscope.js"), "stats"], { encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /^mcpscope: needs Node 22\.15 or newer, this is v\d+\.\d+\.\d+ \(.+\); install a newer Node \(https:\/\/nodejs\.org, or `nvm install 24`\), or run `npm install` in .+ to get its own Node 24\n$/,
    );
  });

  it("a tap in a program on this Node passes its messages and says which Node recording needs", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      exports: Record<string, string>;
    };
    const tap = pathToFileURL(join(ROOT, pkg.exports["."] ?? "")).href;
    const program = `
      import { observe } from ${JSON.stringify(tap)};
      const sent = [];
      const transport = { async start() {}, async send(m) { sent.push(m.id); }, async close() {} };
      const observed = observe(transport, {
        name: "old", dataDir: ${JSON.stringify(join(tmp.path, "tap"))}, onProblem: (m) => console.log(m),
      });
      await observed.start();
      await observed.send({ jsonrpc: "2.0", id: 1, method: "tools/list" });
      await observed.close();
      console.log("sent", sent.join());`;
    const file = join(tmp.path, "tap-program.mjs");
    writeFileSync(file, program);
    const run = spawnSync(old, [file], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const version = execFileSync(old, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
    expect(run.stdout.split("\n").sort()).toEqual([
      "",
      `mcpscope: recording needs Node 22.15 or newer (for node:sqlite); this program runs on Node ${version}; recording is off, traffic unaffected`,
      "sent 1",
    ]);
  });
});
