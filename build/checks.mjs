// `npm test`'s steps before vitest: `node build/checks.mjs build lint typecheck` runs the commands of those
// package.json scripts all at once rather than one after another. The type checkers each run on one core
// for most of their time; beside them the build and the linter use the other, so the steps take about
// as long as the longest one. The commands a script joins with `&&` must not depend on each other (the
// type checks of separate projects): they run at once too. Each command's output is printed whole when it
// ends, with how long it took; the exit status is 1 if any failed, once all have ended.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { scripts = {} } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const names = process.argv.slice(2);
const unknown = names.filter((name) => typeof scripts[name] !== "string");
if (names.length === 0 || unknown.length > 0) {
  process.stderr.write(
    names.length === 0
      ? "usage: node build/checks.mjs SCRIPT... (package.json scripts to run at once)\n"
      : `checks: no script ${unknown.map((name) => `"${name}"`).join(", ")} in package.json\n`,
  );
  process.exit(2);
}
const commands = names.flatMap((name) => scripts[name].split("&&").map((command) => command.trim()));

// As `npm run` would: the project's own binaries first on the PATH.
const env = { ...process.env, PATH: [join(root, "node_modules", ".bin"), process.env.PATH].join(delimiter) };

function run(command) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, { cwd: root, env, shell: true, stdio: ["ignore", "pipe", "pipe"] });
    const output = [];
    child.stdout.on("data", (chunk) => output.push(chunk));
    child.stderr.on("data", (chunk) => output.push(chunk));
    let ended = false;
    const done = (status, error) => {
      if (ended) return;
      ended = true;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const verdict = status === 0 ? "ok" : `FAILED (${error ?? `exit ${status}`})`;
      process.stdout.write(`> ${command}: ${verdict}, ${seconds} s\n`);
      process.stdout.write(Buffer.concat(output));
      resolve(status === 0);
    };
    child.once("error", (error) => done(1, error.message));
    child.once("close", (code, signal) => done(code ?? 1, signal ?? undefined));
  });
}

const results = await Promise.all(commands.map(run));
process.exit(results.every(Boolean) ? 0 : 1);
