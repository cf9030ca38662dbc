/**
 * The `mcpscope` commands and their one-line summaries, for `mcpscope --help` and each command's own help.
 * Nothing here imports a command's code: the usage prints without loading the engine, SQLite or schemas.
 */
export const COMMAND_SUMMARIES = {
  run: "launch an MCP server over stdio and record its traffic (put this in your client's config)",
  proxy: "relay a remote MCP server (Streamable HTTP or SSE) and record its traffic",
  serve: "run the engine headless and serve the UI to a browser",
  stats: "calls, errors and latency per server and operation; requests to the client apart",
  calls: "recent calls with outcome, latency, and masked arguments and results",
  logs: "server logs (stderr, MCP log notifications, mcpscope's own): search, follow, patterns",
  events: "system, security, user, error and audit events; error groups",
  session: "one session's timeline: its calls, logs and events in time order",
  discover: "list the MCP servers your clients (Claude, Cursor, VS Code…) have configured",
  instrument: "wrap a server in its client's config so the client's calls are recorded",
  uninstrument: "put a client's config entry back as it was before `mcpscope instrument`",
  instrumented: "the config entries mcpscope has wrapped, and whether each is still wrapped",
  check: "probe one MCP server once: handshake, ping, tools/list (exit 0 healthy, 1 not)",
  tools: "pinned tool definitions with their status; `tools approve` accepts a changed definition",
  audit: "verify the tamper-evident audit log, export it as JSON lines or CSV, or check a call's arguments",
  alerts: "current alerts, their history, silences, acknowledgements, the notification pause, and tests",
  rules: "validate an alert rule file, or run rule unit tests against given series",
  report: "a report over a period, as HTML, PDF, Markdown, CSV or JSON",
  db: "the database: size per table, rows, bytes per call, growth (info); a full integrity check (check)",
  backup: "write a consistent, compressed copy of the database with a manifest, while wrappers keep writing",
  restore: "replace the database with a backup, checked first; the previous database is kept aside",
} as const;

export type CommandName = keyof typeof COMMAND_SUMMARIES;
