#!/usr/bin/env node
// The `mcpscope` command. On a Node older than the project needs (node:sqlite, zstd), it runs itself again
// on the project's own Node 24 (the `node` dev dependency), or says in one line what is needed. It turns on
// Node's compile cache, keeps Node's ExperimentalWarning for node:sqlite off stderr (the wrapper's stderr is
// the MCP client's log), then loads the bundled CLI. This file must parse on old Node versions too.
import { existsSync, readFileSync } from "node:fs";
import module from "node:module";
import { constants, homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(import.meta.url);
const root = dirname(dirname(script));

/** `engines.node` from package.json (`>=22.15`) as [major, minor]; null where there is none (the app's copy). */
function minimumNode() {
  try {
    const range = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines?.node ?? "";
    const match = /^>=\s*(\d+)(?:\.(\d+))?/.exec(range);
    return match ? [Number(match[1]), Number(match[2] ?? 0)] : null;
  } catch {
    return null;
  }
}

function tooOld(minimum) {
  const [major, minor] = process.versions.node.split(".").map(Number);
  return major < minimum[0] || (major === minimum[0] && minor < minimum[1]);
}

/**
 * Where Node keeps the compiled code of mcpscope's bundles between starts: this user's own cache folder,
 * not the shared temp folder, where another user could plant compiled code for us to run.
 */
function compileCacheDir() {
  const home = homedir();
  // A home that does not exist (a service account's, or a test's on purpose) is not ours to create.
  if (!home || !existsSync(home)) return null;
  const base =
    process.platform === "win32"
      ? (process.env.LOCALAPPDATA ?? join(home, "AppData", "Local"))
      : process.platform === "darwin"
        ? join(home, "Library", "Caches")
        : process.env.XDG_CACHE_HOME?.startsWith("/")
          ? process.env.XDG_CACHE_HOME
          : join(home, ".cache");
  return join(base, "mcpscope", "node-compile-cache");
}

/**
 * Runs this command on `node`, passing stdio (inherited: the wrapper's bytes never pass through here),
 * signals and the exit status. Each signal reaches the child once. Where stdin is not a terminal (an MCP
 * client's pipes), the child has a process group of its own, so a signal to this process's group reaches
 * it only through here; where stdin is a terminal, the child must stay in the terminal's foreground group
 * to read it, and the terminal's own signals (Ctrl-C, Ctrl-\, a hang-up) reach it directly: those are
 * not passed on a second time.
 */
async function reexec(node) {
  // Loaded here, not above: the usual start (a new enough Node) needs no child_process.
  const { spawn } = await import("node:child_process");
  const { isatty } = await import("node:tty");
  const posix = process.platform !== "win32";
  const ownGroup = posix && !isatty(0);
  const child = spawn(node, [...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: "inherit",
    // The launcher's pid: the child watches it (see watchLauncher).
    env: { ...process.env, MCPSCOPE_REEXEC: String(process.pid) },
    detached: ownGroup,
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const fromTerminal = ownGroup ? [] : ["SIGINT", "SIGQUIT", "SIGHUP"];
  const forward = (signal) => {
    // Still handled when not passed on: this process waits for the child, to exit with its status.
    if (running() && !fromTerminal.includes(signal)) child.kill(signal);
  };
  if (posix) for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"]) process.on(signal, forward);
  // If this process ends first (an error here), the child's group is asked to stop, not left behind.
  process.on("exit", () => {
    if (!ownGroup || !running()) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  });
  child.on("error", (error) => {
    process.stderr.write(`mcpscope: cannot start ${node}: ${error.message}\n`);
    process.exit(1);
  });
  // A child killed by a signal exits 128 + its number, as a shell reports it and as `mcpscope run`
  // reports its server's; re-raising the signal here would make the two paths disagree.
  child.on("exit", (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    process.exit(128 + (constants.signals[signal] ?? 0));
  });
}

/**
 * Run again on the project's Node, this process outlives a launcher killed by a signal it cannot pass on
 * (SIGKILL from a process manager, the OOM killer, `kill -9` of the pid the user sees): it would go on
 * serving, holding its port and data dir, with no parent. When the launcher is gone (this process was
 * handed to another parent, or, where parents do not change (Windows), no longer exists), it stops as on
 * SIGTERM, through the command's own handlers. The launcher's pid comes from the launcher itself, so a
 * launcher killed before this process started is noticed too.
 */
function watchLauncher(launcher) {
  const alive = () => {
    try {
      process.kill(launcher, 0);
      return true;
    } catch (error) {
      return error?.code === "EPERM";
    }
  };
  const gone = () => process.ppid !== launcher || !alive();
  if (gone()) {
    process.kill(process.pid, "SIGTERM");
    return;
  }
  const watch = setInterval(() => {
    if (!gone()) return;
    clearInterval(watch);
    process.kill(process.pid, "SIGTERM");
  }, 1000);
  watch.unref();
}

/**
 * Payloads are stored zstd-compressed where Node has it (store/payload-codec.ts), and a Node without it
 * reads them as unreadable: `engines` asks for 22.15, where 22.x got it, but lets through 23 before 23.8.
 * Told by the version, not by loading node:zlib, which would cost every start milliseconds.
 */
function lacksZstd() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  return major === 23 && minor < 8;
}

const minimum = process.versions.electron ? null : minimumNode();
if (minimum && (tooOld(minimum) || lacksZstd())) {
  const own = ["node", "node.exe"]
    .map((name) => join(root, "node_modules", "node", "bin", name))
    .find(existsSync);
  if (own && !process.env.MCPSCOPE_REEXEC) {
    await reexec(own);
  } else {
    const needs = tooOld(minimum)
      ? `needs Node ${minimum.join(".")} or newer, this is ${process.version}`
      : `needs a Node with zstd (22.15 or newer, 23.8 or newer on 23) to read the payloads it stores, this is ${process.version}`;
    process.stderr.write(
      `mcpscope: ${needs} (${process.execPath}); install a newer Node (https://nodejs.org, or \`nvm install 24\`), or run \`npm install\` in ${root} to get its own Node 24\n`,
    );
    process.exit(1);
  }
} else {
  const launcher = Number(process.env.MCPSCOPE_REEXEC);
  if (Number.isInteger(launcher) && launcher > 1) watchLauncher(launcher);
  delete process.env.MCPSCOPE_REEXEC;
  try {
    const cacheDir = compileCacheDir();
    if (cacheDir) module.enableCompileCache?.(cacheDir);
  } catch {
    // No home folder, or none we may write: start without the cache.
  }
  const emitWarning = process.emitWarning;
  process.emitWarning = function filtered(warning, ...rest) {
    const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
    const text = typeof warning === "string" ? warning : warning?.message;
    if (
      (type === "ExperimentalWarning" || warning?.name === "ExperimentalWarning") &&
      /SQLite/i.test(text ?? "")
    ) {
      return;
    }
    return emitWarning.call(process, warning, ...rest);
  };

  // `run` (the wrapper MCP clients start) has a bundle of its own, so that the server starts sooner.
  const entry = process.argv[2] === "run" ? "run.mjs" : "cli.mjs";
  try {
    await import(`../dist/${entry}`);
  } catch (error) {
    if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes(`dist/${entry}`)) {
      process.stderr.write("mcpscope: not built yet; run `npm run build` in the mcpscope folder first\n");
      process.exit(1);
    }
    throw error;
  }
}
