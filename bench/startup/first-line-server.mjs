#!/usr/bin/env node
// The smallest stdio server for the start-up bench: writes one JSON-RPC notification as soon as it runs,
// then waits for its stdin to close.
process.stdout.write(
  '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"ready"}}\n',
);
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
