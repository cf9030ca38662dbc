import type { ApiClient } from "../../../shared/api.js";
import type { LogLevel } from "../../../shared/levels.js";
import { type LogRecord, type LogsQuery, type LogsTailQuery, SELF_SERVER } from "../../../shared/logs.js";
import { limitSchema, PageLimitSchema } from "../../../shared/units.js";
import { CLI_MINE_AT_MOST } from "../../monitor/logs/log-reader.js";
import { levelFromValue } from "../../monitor/logs/stderr-line.js";
import { fixedTime } from "../../monitor/time.js";
import { withStoreApi } from "../api-client.js";
import { checkFlag, numberOrText } from "../api-input.js";
import { type FlagSpecs, flagString, formatHelp, type ParsedArgs, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { CliIo, Command } from "../io.js";
import { recordedDataDir } from "../recorded-dir.js";
import { checkServerFilter, givenFilters } from "../server-filter.js";
import { formatPatterns, formatRecord } from "./logs-format.js";

const FLAGS: FlagSpecs = {
  since: {
    kind: "string",
    placeholder: "TIME",
    help: "only records after this: a duration back (1h) or ISO 8601",
  },
  until: {
    kind: "string",
    placeholder: "TIME",
    help: "only records up to this (a listed time keeps its rows)",
  },
  server: {
    kind: "string",
    placeholder: "NAME",
    help: "only this server (`mcpscope` for mcpscope's own logs)",
  },
  level: {
    kind: "string",
    placeholder: "LEVEL",
    help: "this level and above: debug, info, notice, warning, error, critical, alert, emergency",
  },
  grep: {
    kind: "string",
    placeholder: "TEXT",
    help: 'full text: every word must match; "a phrase"; word* for a prefix',
  },
  session: { kind: "string", placeholder: "ID", help: "only this wrapper session" },
  limit: {
    kind: "string",
    placeholder: "N",
    default: "100",
    help: "the newest N records (with --follow: the backlog shown first)",
  },
  follow: { kind: "boolean", help: "keep printing new records as they are stored, until Ctrl-C" },
  json: {
    kind: "boolean",
    help: 'print {"logs": […]} oldest first; with --follow one JSON record per line',
  },
};

const PATTERN_FLAGS: FlagSpecs = {
  since: { kind: "string", placeholder: "TIME", default: "24h", help: "templates seen after this" },
  until: { kind: "string", placeholder: "TIME", help: "and before this" },
  server: { kind: "string", placeholder: "NAME", help: "only this server" },
  level: { kind: "string", placeholder: "LEVEL", help: "templates with a line of this level or above" },
  limit: { kind: "string", placeholder: "N", default: "50", help: "the N most frequent templates" },
  json: { kind: "boolean", help: "print one JSON document (shape in docs/cli.md)" },
};

const FOLLOW_POLL_MS = 250;
/** The most records one logs.search answers; a longer backlog is read page by page. */
const PAGE = 1000;

/** The most records one `mcpscope logs` prints, asked of the API a page at a time. */
const LOGS_LIMIT = limitSchema(100_000);

export const logsCommand: Command = {
  name: "logs",
  summary: COMMAND_SUMMARIES.logs,
  flags: { logs: FLAGS, "logs patterns": PATTERN_FLAGS },
  async run(argv, io) {
    if (argv[0] === "patterns") return patterns(argv.slice(1), io);
    const args = parseArgs("logs", argv, FLAGS, {
      positionals: 0,
      hint: "did you mean `mcpscope logs patterns`?",
    });
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope logs [--since TIME] [--until TIME] [--server NAME] [--level warning] [--grep TEXT] [--session ID] [--limit 100] [--follow] [--json]\n       mcpscope logs patterns [--since 24h] [--server NAME] [--json]",
          this.summary,
          FLAGS,
        ),
      );
      return 0;
    }
    recordedDataDir(args);
    const filter: Omit<LogsTailQuery, "after" | "limit"> = {
      server: flagString(args, "server"),
      level: levelFlag(args),
      text: flagString(args, "grep"),
      session: flagString(args, "session"),
    };
    const limit = limitFlag(args, 100);
    // Read once, before opening anything (a bad time is one line): every page asks the same window.
    const now = Date.now();
    const since = fixedTime(flagString(args, "since"), now);
    const until = fixedTime(flagString(args, "until"), now);
    if (args.flags.follow && until) throw new UsageError("--follow and --until do not go together");
    const query: LogsQuery = { ...filter, since, until };
    if (!args.flags.follow) {
      const backlog = (
        await withStoreApi(
          args,
          async (api) => {
            const records = await newest(api, query, limit);
            if (records.length === 0) await checkServerFilter(api, filter.server, "logs", [SELF_SERVER]);
            return records;
          },
          { flagOf: { text: "grep" } },
        )
      ).reverse();
      const filters = givenFilters(args, ["server", "level", "grep", "session", "since", "until"]);
      if (args.flags.json) io.stdout.write(`${JSON.stringify({ logs: backlog }, null, 2)}\n`);
      else if (backlog.length === 0)
        io.stdout.write(
          filters
            ? `No log records match ${filters}.\n`
            : "No log records yet. Records appear once a server wrapped with `mcpscope run` logs something.\n",
        );
      else for (const record of backlog) io.stdout.write(formatRecord(record));
      return 0;
    }
    // The backlog ends where the tail begins: both asked through the API, over one open database.
    return await withStoreApi(
      args,
      async (api) => {
        const { cursor } = await api.call("logs.tail", filter);
        const backlog = (await newest(api, { ...query, beforeId: cursor + 1 }, limit)).reverse();
        // A typo would otherwise wait for records that never come; but a server started after its logs are
        // followed is no typo: said once, and followed all the same.
        if (backlog.length === 0)
          await checkServerFilter(api, filter.server, "logs", [SELF_SERVER]).catch((error: Error) =>
            io.stderr.write(`mcpscope logs: ${error.message}; following it anyway (Ctrl-C to stop)\n`),
          );
        const print = (record: LogRecord) =>
          io.stdout.write(args.flags.json ? `${JSON.stringify(record)}\n` : formatRecord(record));
        for (const record of backlog) print(record);
        await follow(api, filter, cursor, print);
        return 0;
      },
      { flagOf: { text: "grep" } },
    );
  },
};

/** The newest `limit` records matching `query`, newest first, asked a page at a time. */
async function newest(api: ApiClient, query: LogsQuery, limit: number): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  let beforeId = query.beforeId;
  while (records.length < limit) {
    const size = Math.min(PAGE, limit - records.length);
    const page = await api.call("logs.search", { ...query, beforeId, limit: size });
    records.push(...page);
    const last = page[page.length - 1];
    if (page.length < size || !last) break;
    beforeId = last.id;
  }
  return records;
}

/** Polls by cursor until SIGINT or SIGTERM; wrappers in other processes write, so the database is the bus. */
async function follow(
  api: ApiClient,
  filter: Omit<LogsTailQuery, "after" | "limit">,
  from: number,
  print: (r: LogRecord) => void,
): Promise<void> {
  let cursor = from;
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    while (!stop) {
      try {
        const page = await api.call("logs.tail", { ...filter, after: cursor, limit: PAGE });
        for (const record of page.records) print(record);
        cursor = page.cursor;
        if (page.more) continue;
      } catch (error) {
        if (!/busy|locked/i.test((error as Error).message)) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function patterns(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs("logs patterns", argv, PATTERN_FLAGS, { positionals: 0 });
  if (args.flags.help) {
    io.stdout.write(
      formatHelp(
        "mcpscope logs patterns [--since 24h] [--until TIME] [--server NAME] [--level LEVEL] [--limit 50] [--json]",
        "Log templates mined from the stored records (Drain: variable parts are <*>), most frequent first, with\ntheir count since they first appeared, most severe level, first and last seen, and lines per level.",
        PATTERN_FLAGS,
      ),
    );
    return 0;
  }
  recordedDataDir(args);
  const server = flagString(args, "server");
  const doc = await withStoreApi(
    args,
    async (api) => {
      const doc = await api.call("logs.patterns", {
        since: flagString(args, "since"),
        until: flagString(args, "until"),
        server,
        level: levelFlag(args),
        limit: limitFlag(args, 50, PageLimitSchema),
      });
      if (doc.patterns.length === 0) await checkServerFilter(api, server, "logs", [SELF_SERVER]);
      return doc;
    },
    {
      mineAtMost: CLI_MINE_AT_MOST,
      warn: (_kind, message) => io.stderr.write(`mcpscope logs patterns: templates may lag (${message})\n`),
    },
  );
  const { unmined, ...printed } = doc;
  if (unmined)
    io.stderr.write(
      `mcpscope logs patterns: ${unmined} newer records are not mined yet; run it again, or keep the app or \`mcpscope serve\` running\n`,
    );
  io.stdout.write(
    args.flags.json
      ? `${JSON.stringify(printed, null, 2)}\n`
      : formatPatterns(printed, givenFilters(args, ["server", "level", "since", "until"])),
  );
  return 0;
}

function levelFlag(args: ParsedArgs): LogLevel | undefined {
  const text = flagString(args, "level");
  if (text === undefined) return undefined;
  const level = levelFromValue(text);
  if (!level)
    throw new UsageError(
      `--level "${text}" is not a level; use debug, info, notice, warning, error, critical, alert or emergency`,
    );
  return level;
}

function limitFlag(args: ParsedArgs, fallback: number, schema = LOGS_LIMIT): number {
  const text = flagString(args, "limit");
  return text === undefined ? fallback : checkFlag(schema, "limit", numberOrText(text));
}
