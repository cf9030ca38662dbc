#!/usr/bin/env node
// The `mcpscope` command. It keeps Node's ExperimentalWarning for node:sqlite off stderr (the wrapper's
// stderr is the MCP client's log), then loads the bundled CLI.
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

try {
  await import("../dist/cli.mjs");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli.mjs")) {
    process.stderr.write("mcpscope: not built yet; run `npm run build` in the mcpscope folder first\n");
    process.exit(1);
  }
  throw error;
}
