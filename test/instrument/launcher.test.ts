/** Which launcher a wrapped entry runs, and that mcpscope recognises every form it writes. */
import { describe, expect, it } from "vitest";
import {
  findCliScript,
  type LauncherEnvironment,
  resolveLauncher,
} from "../../electron/monitor/instrument/launcher.js";
import { goneLauncherPath, transientPlace } from "../../electron/monitor/instrument/launcher-check.js";
import { ENTRY_FLAG, MARKER_FLAG, unwrapEntry } from "../../electron/monitor/instrument/marker.js";
import { wrapCommand } from "../../electron/monitor/instrument/wrap.js";
import { MCPSCOPE } from "../helpers/mcp.js";

const base: LauncherEnvironment = {
  execPath: "/usr/local/bin/node",
  env: {},
  cliScript: "/home/me/.npm-global/lib/node_modules/mcpscope/bin/mcpscope.js",
  exists: () => true,
};
const RESOURCES = "/opt/mcpscope/resources";
const BUNDLED = `${RESOURCES}/app.asar.unpacked/bin/mcpscope.js`;

describe("launcher", () => {
  it("npm or development install: this Node and this install's bin/mcpscope.js, both absolute", () => {
    expect(resolveLauncher(base)).toEqual({
      command: "/usr/local/bin/node",
      args: [base.cliScript],
      env: {},
    });
  });

  it("packaged app: the app binary running the unpacked CLI with ELECTRON_RUN_AS_NODE=1", () => {
    const app = { ...base, execPath: "/opt/mcpscope/mcpscope", electron: "45.5.0", resourcesPath: RESOURCES };
    expect(resolveLauncher(app)).toEqual({
      command: "/opt/mcpscope/mcpscope",
      args: [BUNDLED],
      env: { ELECTRON_RUN_AS_NODE: "1" },
    });
  });

  it("inside an AppImage: the AppImage file, not the temporary mount", () => {
    const app = {
      ...base,
      execPath: "/tmp/.mount_mcpscoXYZ/mcpscope",
      electron: "45.5.0",
      resourcesPath: RESOURCES,
      env: { APPIMAGE: "/home/me/Apps/mcpscope-0.1.0.AppImage" },
    };
    expect(resolveLauncher(app).command).toBe("/home/me/Apps/mcpscope-0.1.0.AppImage");
  });

  it("Electron in development (no unpacked bundle): the Electron binary running this checkout's CLI", () => {
    const dev = {
      ...base,
      execPath: "/work/node_modules/electron/dist/electron",
      electron: "45.5.0",
      resourcesPath: "/work/node_modules/electron/dist/resources",
      exists: (p: string) => !p.includes("app.asar.unpacked"),
    };
    expect(resolveLauncher(dev)).toEqual({
      command: "/work/node_modules/electron/dist/electron",
      args: [base.cliScript],
      env: { ELECTRON_RUN_AS_NODE: "1" },
    });
  });

  it("a Node a version manager installed: written as it is, with one note naming the repair", () => {
    const nvm = "/home/me/.nvm/versions/node/v24.1.0/bin/node";
    const launcher = resolveLauncher({ ...base, execPath: nvm });
    expect(launcher.command).toBe(nvm);
    expect(launcher.notes).toEqual([
      `the entry runs the Node that nvm installed (${nvm}): once nvm removes that version, its client cannot start it — then run \`mcpscope instrument --repair\` from another install`,
    ]);
    for (const [path, manager] of [
      ["/home/me/.local/share/fnm/node-versions/v24.1.0/installation/bin/node", "fnm"],
      ["/home/me/.volta/tools/image/node/24.1.0/bin/node", "volta"],
      ["/home/me/.asdf/installs/nodejs/24.1.0/bin/node", "asdf"],
      ["C:\\Users\\me\\AppData\\Roaming\\nvm\\v24.1.0\\node.exe", "nvm"],
    ])
      expect(resolveLauncher({ ...base, execPath: path ?? "" }).notes?.[0]).toContain(`Node that ${manager}`);
    expect(resolveLauncher(base).notes).toBeUndefined();
  });

  it("from the npx cache or a temp folder: a copy in the data dir, said in a note", () => {
    const npx = "/home/me/.npm/_npx/1a2b/node_modules/mcpscope/bin/mcpscope.js";
    const launcher = resolveLauncher({
      ...base,
      cliScript: npx,
      transient: (path) => transientPlace(path, "/tmp"),
      stableCliScript: () => "/data/runtime/0.1.0/bin/mcpscope.js",
    });
    expect(launcher.args).toEqual(["/data/runtime/0.1.0/bin/mcpscope.js"]);
    expect(launcher.notes?.[0]).toContain(`runs from the npx cache (${npx})`);
    // A package a runner installed in the temp folder for one run (bunx, yarn dlx) will not last; a
    // checkout or copy put there by hand (a CI clone) is the user's choice.
    const bunx = "/tmp/bunx-1000-mcpscope@0.1.0/node_modules/mcpscope/bin/mcpscope.js";
    expect(transientPlace(bunx, "/tmp")).toBe("a temporary folder");
    expect(transientPlace("/tmp/x/bin/mcpscope.js", "/tmp")).toBeNull();
    expect(transientPlace("/home/me/mcpscope/bin/mcpscope.js", "/tmp")).toBeNull();
  });

  it("a launcher is gone when its program or its mcpscope script is, and only then", () => {
    const run = ["run", "--", "node", "s.js"];
    expect(goneLauncherPath(process.execPath, [MCPSCOPE, ...run])).toBeNull();
    expect(goneLauncherPath(process.execPath, ["/nowhere/bin/mcpscope.js", ...run])).toBe(
      "/nowhere/bin/mcpscope.js",
    );
    expect(goneLauncherPath("/nowhere/node", [MCPSCOPE, ...run])).toBe("/nowhere/node");
    // Names found on the client's PATH, and arguments that are not mcpscope's script, are not checked.
    expect(goneLauncherPath("mcpscope", run)).toBeNull();
    expect(goneLauncherPath("cmd", ["/c", "npx", "-y", "mcpscope", ...run])).toBeNull();
  });

  it("finds bin/mcpscope.js above the source and the bundle", () => {
    expect(
      findCliScript(new URL("../../electron/monitor/instrument/launcher.ts", import.meta.url).pathname),
    ).toBe(MCPSCOPE);
    expect(findCliScript(`${RESOURCES}/app.asar.unpacked/dist/cli.mjs`, (p) => p === BUNDLED)).toBe(BUNDLED);
    expect(() => findCliScript("/nowhere/dist/cli.mjs", () => false)).toThrow(/cannot find bin\/mcpscope.js/);
  });
});

describe("wrapCommand and unwrapEntry", () => {
  const original = {
    command: "npx",
    args: ["-y", "@modelcontextprotocol/server-filesystem", "--", "/home/me"],
  };
  const launchers = {
    npm: resolveLauncher(base),
    app: resolveLauncher({
      ...base,
      execPath: "/opt/mcpscope/mcpscope",
      electron: "45",
      resourcesPath: RESOURCES,
    }),
    appImage: resolveLauncher({
      ...base,
      electron: "45",
      resourcesPath: RESOURCES,
      env: { APPIMAGE: "/a/x.AppImage" },
    }),
    windows: {
      command: "C:\\Program Files\\mcpscope\\mcpscope.exe",
      args: [BUNDLED],
      env: { ELECTRON_RUN_AS_NODE: "1" },
    },
    onPath: { command: "mcpscope", args: [], env: {} },
  };

  for (const [kind, launcher] of Object.entries(launchers)) {
    it(`every launcher form is recognised (${kind})`, () => {
      const wrapped = wrapCommand(original, {
        name: "files",
        client: "cursor",
        entry: "cursor-0123456789ab",
        dataDir: "/d",
        launcher,
      });
      expect(wrapped.command).toBe(launcher.command);
      expect(wrapped.args).toEqual([
        ...launcher.args,
        "run",
        "--name",
        "files",
        MARKER_FLAG,
        "cursor",
        ENTRY_FLAG,
        "cursor-0123456789ab",
        "--data-dir",
        "/d",
        "--",
        ...[original.command, ...original.args],
      ]);
      expect(wrapped.env).toEqual(Object.keys(launcher.env).length ? launcher.env : undefined);
      expect(unwrapEntry(wrapped.command, wrapped.args)).toEqual({
        ...original,
        client: "cursor",
        entry: "cursor-0123456789ab",
        name: "files",
      });
    });
  }

  it("a name that looks like a flag is written as --name=VALUE and still read back", () => {
    const wrapped = wrapCommand(original, {
      name: "--weird",
      client: "zed",
      entry: "zed-0123456789ab",
      launcher: launchers.npm,
    });
    expect(wrapped.args).toContain("--name=--weird");
    expect(unwrapEntry(wrapped.command, wrapped.args)?.name).toBe("--weird");
  });
});

describe("the AppImage's stable CLI copy", () => {
  it("points an AppImage entry at a copy in the data dir, and the copy runs", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { execFileSync } = await import("node:child_process");
    const { ensureStableCli } = await import("../../electron/monitor/instrument/stable-cli.js");
    const dataDir = await mkdtemp(join(tmpdir(), "mcpscope-stable-"));
    const root = join(import.meta.dirname, "..", "..");
    const launcher = resolveLauncher({
      execPath: "/tmp/.mount_mcpscoXYZ/mcpscope",
      electron: "45.0.0",
      resourcesPath: "/tmp/.mount_mcpscoXYZ/resources",
      env: { APPIMAGE: "/home/me/Apps/mcpscope.AppImage" },
      cliScript: join(root, "bin", "mcpscope.js"),
      exists: () => false,
      stableCliScript: () => ensureStableCli(root, dataDir, "9.9.9"),
    });
    expect(launcher.command).toBe("/home/me/Apps/mcpscope.AppImage");
    expect(launcher.args).toHaveLength(1);
    expect(launcher.args[0]).toMatch(
      new RegExp(`^${join(dataDir, "runtime")}/9\\.9\\.9-[0-9a-f]{16}/bin/mcpscope\\.js$`),
    );
    // The copy is a working CLI on its own (the install may be gone by the time a client runs it).
    const out = execFileSync(process.execPath, [launcher.args[0] ?? "", "--version"], { encoding: "utf8" });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // A second call reuses the copy.
    expect(ensureStableCli(root, dataDir, "9.9.9")).toBe(launcher.args[0]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keys the copy by the build's files: a rebuild of the same version gets its own, a changed copy is made again", async () => {
    const { mkdtemp, mkdir, readFile, rm, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { dirname, join } = await import("node:path");
    const { ensureStableCli } = await import("../../electron/monitor/instrument/stable-cli.js");
    const tmp = await mkdtemp(join(tmpdir(), "mcpscope-stable-"));
    const dataDir = join(tmp, "data");
    /** An install whose CLI prints `build`: two of them share a version, not their code. */
    const install = async (build: string) => {
      const root = join(tmp, build);
      await mkdir(join(root, "bin"), { recursive: true });
      await mkdir(join(root, "dist"), { recursive: true });
      await writeFile(join(root, "bin", "mcpscope.js"), `import "../dist/cli.mjs";\n`);
      await writeFile(join(root, "dist", "cli.mjs"), `console.log(${JSON.stringify(build)});\n`);
      await writeFile(join(root, "dist", "chunk-A.mjs"), `export const build = ${JSON.stringify(build)};\n`);
      return root;
    };
    const cli = async (script: string) => readFile(join(dirname(dirname(script)), "dist", "cli.mjs"), "utf8");
    try {
      const older = ensureStableCli(await install("old-build"), dataDir, "0.1.0");
      const newer = ensureStableCli(await install("new-build"), dataDir, "0.1.0");
      expect(newer).not.toBe(older);
      expect(await cli(older)).toContain("old-build");
      expect(await cli(newer)).toContain("new-build");
      // The older copy stays: entries instrumented by the older build still point at it.
      expect(ensureStableCli(join(tmp, "old-build"), dataDir, "0.1.0")).toBe(older);

      // A copy whose files changed since is not trusted by its name: it is made again.
      await writeFile(join(dirname(dirname(newer)), "dist", "chunk-A.mjs"), "garbled");
      expect(ensureStableCli(join(tmp, "new-build"), dataDir, "0.1.0")).toBe(newer);
      expect(await readFile(join(dirname(dirname(newer)), "dist", "chunk-A.mjs"), "utf8")).toContain(
        "new-build",
      );
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
