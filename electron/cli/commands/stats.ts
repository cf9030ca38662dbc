import type { StatsDocument } from "../../../shared/domain.js";
import { countedNote } from "../../../shared/metrics.js";
import { plural } from "../../../shared/plural.js";
import { withStoreApi } from "../api-client.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { Command } from "../io.js";
import { recordedDataDir } from "../recorded-dir.js";
import { checkServerFilter } from "../server-filter.js";
import { formatMs, renderTable } from "../table.js";
import { cellText } from "../terminal-text.js";

const FLAGS: FlagSpecs = {
  since: {
    kind: "string",
    placeholder: "TIME",
    default: "1h",
    help: "start: a duration back from now (30m, 24h, 7d) or ISO 8601",
  },
  until: { kind: "string", placeholder: "TIME", help: "end (default: now)" },
  server: { kind: "string", placeholder: "NAME", help: "only this server" },
  json: { kind: "boolean", help: "print one JSON document (shape in docs/cli.md)" },
};

export const statsCommand: Command = {
  name: "stats",
  summary: COMMAND_SUMMARIES.stats,
  flags: { stats: FLAGS },
  async run(argv, io) {
    const args = parseArgs("stats", argv, FLAGS, { positionals: 0 });
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope stats [--since 1h] [--until TIME] [--server NAME] [--json]",
          this.summary,
          FLAGS,
        ),
      );
      return 0;
    }
    const server = flagString(args, "server");
    recordedDataDir(args);
    const doc = await withStoreApi(args, async (api) => {
      const doc = await api.call("stats.get", {
        since: flagString(args, "since") ?? "1h",
        until: flagString(args, "until"),
        server,
      });
      if (doc.servers.length === 0) await checkServerFilter(api, server, "calls");
      return doc;
    });
    if (args.flags.json) {
      io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(renderStats(doc, server));
    return 0;
  },
};

export function renderStats(doc: StatsDocument, server?: string): string {
  // Where retention widened an edge, the range named is the one counted, and the note says why.
  const note = doc.counted ? `Note: ${countedNote(doc.counted)}.\n` : "";
  const since = doc.counted?.since ?? doc.since;
  const until = doc.counted?.until ?? doc.until;
  if (doc.servers.length === 0) {
    // A known server (an unknown one is an error before this): it has calls, just not in this range.
    if (server !== undefined)
      return `${note}No calls between ${since} and ${until} match --server ${server}; widen --since.\n`;
    return `${note}No calls between ${since} and ${until}.\nWrap a server with \`mcpscope run\` in your MCP client's config (see \`mcpscope run --help\`), or widen --since.\n`;
  }
  const parts = doc.servers.map((server) => {
    const head = `${cellText(server.server)}: ${plural(server.calls, "call")}, ${plural(server.errors, "error")} (${(server.error_rate * 100).toFixed(1)}%)`;
    const table = renderTable(
      ["OPERATION", "CALLS", "ERRORS", "P50", "P95", "P99", "MAX"],
      server.operations.map((op) => [
        op.target ? `${op.method} ${op.target}` : op.method,
        op.calls,
        op.errors,
        formatMs(op.latency_ms.p50),
        formatMs(op.latency_ms.p95),
        formatMs(op.latency_ms.p99),
        formatMs(op.latency_ms.max),
      ]),
      [1, 2, 3, 4, 5, 6],
    );
    const asked = server.requests_to_client ?? [];
    if (asked.length === 0) return `${head}\n${table}\n`;
    // Apart and after: their time and their errors are the client's (its user, its model).
    const toClient = renderTable(
      ["REQUEST TO THE CLIENT", "CALLS", "OUTCOMES", "P50", "P95", "MAX"],
      asked.map((op) => [
        op.method,
        op.calls,
        Object.entries(op.outcomes)
          .filter(([, n]) => n > 0)
          .map(([outcome, n]) => `${n} ${outcome}`)
          .join(", "),
        formatMs(op.latency_ms.p50),
        formatMs(op.latency_ms.p95),
        formatMs(op.latency_ms.max),
      ]),
      [1, 3, 4, 5],
    );
    const counts = server.operations.length ? `${table}\n` : "";
    return `${head}\n${counts}Requests it sent its client (not in its figures):\n${toClient}\n`;
  });
  const all = doc.latency_ms;
  const overall = all
    ? `All calls: p50 ${formatMs(all.p50)}, p95 ${formatMs(all.p95)}, p99 ${formatMs(all.p99)}, max ${formatMs(all.max)}\n`
    : "";
  return `${doc.since} → ${doc.until}\n${note}${overall}\n${parts.join("\n")}`;
}
