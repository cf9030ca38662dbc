#!/usr/bin/env node
// The smallest stdio server for the start-up bench: writes one JSON-RPC notification as soon as it runs,
// answers each request line with an empty result (`{"id":N}` is all it reads), and exits when its stdin
// closes.
process.stdout.write(
  '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"ready"}}\n',
);
let pending = "";
process.stdin.on("data", (chunk) => {
  pending += chunk;
  let newline = pending.indexOf("\n");
  while (newline !== -1) {
    const id = /"id":(\d+)/.exec(pending.slice(0, newline))?.[1];
    if (id) process.stdout.write(`{"jsonrpc":"2.0","id":${id},"result":{}}\n`);
    pending = pending.slice(newline + 1);
    newline = pending.indexOf("\n");
  }
});
process.stdin.on("end", () => process.exit(0));
