// `npm start`: builds and runs the desktop app. The `electron` package fetches its binary on first use; where
// that fails (no general internet access) Electron's own message is "Please delete node_modules/electron…",
// which is the wrong advice. This finds the binary as `require("electron")` would, tries the download once,
// and otherwise says in one line what is missing and what works without it.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The Electron binary, resolved as the `electron` package's index.js does, or null when it is absent. */
function electronBinary(dir) {
  const pathFile = join(dir, "path.txt");
  const name = existsSync(pathFile) ? readFileSync(pathFile, "utf8") : null;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, name || "electron");
    return existsSync(binary) ? binary : null;
  }
  const binary = name ? join(dir, "dist", name) : null;
  return binary && existsSync(binary) ? binary : null;
}

function fail(message) {
  process.stderr.write(`mcpscope: ${message}\n`);
  process.exit(1);
}

let dir;
try {
  dir = dirname(createRequire(join(root, "package.json")).resolve("electron/package.json"));
} catch {
  fail(
    "the `electron` package is not installed; run `npm ci` (or `npm run serve` for the same UI in a browser)",
  );
}

let binary = electronBinary(dir);
if (!binary) {
  // Progress only on a terminal, erased again on failure: a failure is one line.
  const progress = process.stderr.isTTY ? "mcpscope: fetching the Electron binary…" : "";
  process.stderr.write(progress);
  const download = spawnSync(process.execPath, [join(dir, "install.js")], { encoding: "utf8" });
  binary = electronBinary(dir);
  if (progress) process.stderr.write(binary ? "\n" : "\r\x1b[K");
  if (!binary) {
    const output = `${download.stderr ?? ""}\n${download.stdout ?? ""}`;
    const reason = output
      .split("\n")
      .find((line) => /\w/.test(line) && !/^\s+at /.test(line))
      ?.trim();
    fail(
      `the desktop app needs the Electron binary, which could not be downloaded${reason ? ` (${reason})` : ""}; run \`npm start\` once on a networked machine (or copy its node_modules/electron here) — \`npm run serve\` gives the same UI in a browser`,
    );
  }
}

const build = spawnSync(process.execPath, [join(root, "build", "build.mjs")], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const app = spawn(binary, [root, ...process.argv.slice(2)], { stdio: "inherit", windowsHide: false });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (app.exitCode === null && app.signalCode === null) app.kill(signal);
  });
}
app.on("error", (error) => fail(`cannot start ${binary}: ${error.message}`));
app.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
