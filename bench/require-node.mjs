// The benches measure mcpscope as it runs on the Node it ships with (24). Under an older `node`,
// bin/mcpscope.js re-executes itself on Node 24, so a bench would time an extra hop and read the CPU
// of a process that only waits.
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(
    `bench: needs Node 24, this is ${process.version}; run it with node_modules/.bin/node (or through npm run bench)`,
  );
  process.exit(2);
}
