import { listedTime } from "../../../shared/listed-time.js";
import { withStoreApi } from "../api-client.js";
import { numberOrText } from "../api-input.js";
import { type FlagSpecs, flagString, formatHelp, type ParsedArgs, parseArgs } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { CliIo, Command } from "../io.js";
import { recordedDataDir } from "../recorded-dir.js";
import { checkServerFilter, givenFilters } from "../server-filter.js";
import { renderTable } from "../table.js";

const FLAGS: FlagSpecs = {
  since: {
    kind: "string",
    placeholder: "TIME",
    default: "24h",
    noDefaultWith: "session",
    help: "only events after this: a duration back or ISO 8601 (with --session, the whole session by default)",
  },
  until: {
    kind: "string",
    placeholder: "TIME",
    help: "only events up to this (a listed time keeps its rows)",
  },
  category: { kind: "string", placeholder: "CATEGORY", help: "system, security, user, error or audit" },
  type: {
    kind: "string",
    placeholder: "TYPE",
    help: "only this type (session.start; a trailing * for a prefix: `session.*`, `wrapper.st*`)",
  },
  severity: {
    kind: "string",
    placeholder: "LEVEL",
    help: "this severity and above: info, low, medium, high, critical",
  },
  server: { kind: "string", placeholder: "NAME", help: "only this server" },
  session: { kind: "string", placeholder: "ID", help: "only this session (all of it unless --since)" },
  limit: { kind: "string", placeholder: "N", default: "100", help: "at most N events, newest first" },
  json: { kind: "boolean", help: 'print {"events": […]}' },
};

const GROUP_FLAGS: FlagSpecs = {
  since: { kind: "string", placeholder: "TIME", help: "only errors after this (default 24h)" },
  server: { kind: "string", placeholder: "NAME", help: "only this server" },
  limit: { kind: "string", placeholder: "N", default: "100", help: "at most N groups, most frequent first" },
  json: { kind: "boolean", help: 'print {"groups": […]}' },
};

/** A flag's text, checked by the method's schema (a category or severity it does not know is refused). */
function vocabulary<T>(args: ParsedArgs, name: string): T | undefined {
  return flagString(args, name) as T | undefined;
}

/** Runs of whitespace as one space: a message on one table line (renderTable cuts it). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ");
}

/** Further back than any retention keeps: "is there any event at all". */
const EVER = "3650d";

export const eventsCommand: Command = {
  name: "events",
  summary: COMMAND_SUMMARIES.events,
  flags: { events: FLAGS, "events groups": GROUP_FLAGS },
  async run(argv, io) {
    if (argv[0] === "groups") return groups(argv.slice(1), io);
    const args = parseArgs("events", argv, FLAGS, {
      positionals: 0,
      hint: "did you mean `mcpscope events groups`?",
    });
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope events [--since 24h] [--until TIME] [--category C] [--type T] [--severity S] [--server NAME] [--session ID] [--limit 100] [--json]\n       mcpscope events groups [--since 24h] [--server NAME] [--json]",
          this.summary,
          FLAGS,
        ),
      );
      return 0;
    }
    recordedDataDir(args);
    const filters = givenFilters(args, [
      "since",
      "until",
      "category",
      "type",
      "severity",
      "server",
      "session",
    ]);
    const { events, newest } = await withStoreApi(args, async (api) => {
      const events = await api.call("events.list", {
        since: flagString(args, "since"),
        until: flagString(args, "until"),
        category: vocabulary(args, "category"),
        type: flagString(args, "type"),
        severity: vocabulary(args, "severity"),
        server: flagString(args, "server"),
        session: flagString(args, "session"),
        limit: numberOrText(flagString(args, "limit")),
      });
      if (events.length === 0) await checkServerFilter(api, flagString(args, "server"), "events");
      // No filter given and none in the default window: is there any event at all?
      const newest =
        events.length === 0 && !filters
          ? ((await api.call("events.list", { since: EVER, limit: 1 }))[0] ?? null)
          : null;
      return { events, newest };
    });
    if (args.flags.json) {
      io.stdout.write(`${JSON.stringify({ events }, null, 2)}\n`);
      return 0;
    }
    if (events.length === 0) {
      io.stdout.write(
        filters
          ? `No events match ${filters}. Try a longer --since, or fewer filters.\n`
          : newest
            ? `No events in the last 24h; the newest is from ${newest.time}. Try a longer --since.\n`
            : "No events yet. Events appear when mcpscope runs or wraps a server (starts, exits, crashes, health changes), when a client's config changes, and when alerts fire.\n",
      );
      return 0;
    }
    io.stdout.write(
      `${renderTable(
        ["TIME", "CATEGORY", "SEVERITY", "TYPE", "SERVER", "MESSAGE"],
        events.map((e) => [
          listedTime(e.time, { ms: true }),
          e.category,
          e.severity,
          e.type,
          e.server ?? "",
          oneLine(e.message),
        ]),
        [],
        { 5: 80 },
      )}\n`,
    );
    return 0;
  },
};

async function groups(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs("events groups", argv, GROUP_FLAGS, { positionals: 0 });
  if (args.flags.help) {
    io.stdout.write(
      formatHelp(
        "mcpscope events groups [--since 24h] [--server NAME] [--limit 100] [--json]",
        "error events grouped by fingerprint, with count and first/last seen",
        GROUP_FLAGS,
      ),
    );
    return 0;
  }
  recordedDataDir(args);
  const server = flagString(args, "server");
  const result = await withStoreApi(args, async (api) => {
    const groups = await api.call("events.groups", {
      since: flagString(args, "since"),
      server,
      limit: numberOrText(flagString(args, "limit")),
    });
    if (groups.length === 0) await checkServerFilter(api, server, "events");
    return groups;
  });
  if (args.flags.json) {
    io.stdout.write(`${JSON.stringify({ groups: result }, null, 2)}\n`);
    return 0;
  }
  if (result.length === 0) {
    const filters = givenFilters(args, ["server", "since"]);
    io.stdout.write(
      filters ? `No errors match ${filters}.\n` : "No errors in the last 24h; try a longer --since.\n",
    );
    return 0;
  }
  io.stdout.write(
    `${renderTable(
      ["COUNT", "TYPE", "SERVER", "LAST SEEN", "FIRST SEEN", "MESSAGE"],
      result.map((g) => [
        String(g.count),
        g.type,
        g.server ?? "",
        listedTime(g.lastSeen, { ms: true }),
        listedTime(g.firstSeen, { ms: true }),
        oneLine(g.message),
      ]),
      [0],
      { 5: 70 },
    )}\n`,
  );
  return 0;
}
