import { listedTime } from "../../../shared/listed-time.js";
import { OUTCOMES, operationText, RUNNING_FILTER } from "../../../shared/outcomes.js";
import { callOutcomeText } from "../../../shared/tasks.js";
import { withStoreApi } from "../api-client.js";
import { numberOrText } from "../api-input.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { Command } from "../io.js";
import { recordedDataDir } from "../recorded-dir.js";
import { checkServerFilter, givenFilters } from "../server-filter.js";
import { formatMs, renderTable } from "../table.js";

const FLAGS: FlagSpecs = {
  since: {
    kind: "string",
    placeholder: "TIME",
    help: "only calls after this: a duration back (1h) or ISO 8601",
  },
  until: {
    kind: "string",
    placeholder: "TIME",
    help: "only calls up to this (a listed time keeps its rows)",
  },
  server: { kind: "string", placeholder: "NAME", help: "only this server" },
  tool: { kind: "string", placeholder: "NAME", help: "only `tools/call` of this tool" },
  method: { kind: "string", placeholder: "METHOD", help: "only this method (tools/list, resources/read, …)" },
  outcome: {
    kind: "string",
    placeholder: "OUTCOME",
    help: `${OUTCOMES.join(", ")}; or ${RUNNING_FILTER}: the calls still working (a task not ended yet)`,
  },
  limit: {
    kind: "string",
    placeholder: "N",
    default: "50",
    help: "at most N calls, newest first by start time",
  },
  before: {
    kind: "string",
    placeholder: "ID",
    help: "the calls listed after call ID (the next page: pass the last id of this one)",
  },
  json: { kind: "boolean", help: 'print {"calls": […]} with masked, capped request and response' },
};

export const callsCommand: Command = {
  name: "calls",
  summary: COMMAND_SUMMARIES.calls,
  flags: { calls: FLAGS },
  async run(argv, io) {
    const args = parseArgs("calls", argv, FLAGS, { positionals: 0 });
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope calls [--since TIME] [--until TIME] [--server NAME] [--tool NAME] [--method METHOD] [--outcome OUTCOME] [--limit 50] [--before ID] [--json]",
          this.summary,
          FLAGS,
        ),
      );
      return 0;
    }
    const before = flagString(args, "before");
    if (before !== undefined && !/^[1-9]\d*$/.test(before))
      throw new UsageError(
        `--before takes a call id (a whole number from a listing), not ${JSON.stringify(before)}`,
      );
    recordedDataDir(args);
    const calls = await withStoreApi(args, async (api) => {
      const calls = await api.call("calls.details", {
        since: flagString(args, "since"),
        until: flagString(args, "until"),
        server: flagString(args, "server"),
        tool: flagString(args, "tool"),
        method: flagString(args, "method"),
        // The schema names what is wrong with a value that is not a number, or not an outcome.
        outcome: flagString(args, "outcome") as never,
        limit: numberOrText(flagString(args, "limit")) ?? 50,
        beforeId: before === undefined ? undefined : Number(before),
      });
      if (calls.length === 0) await checkServerFilter(api, flagString(args, "server"), "calls");
      return calls;
    });
    if (args.flags.json) {
      io.stdout.write(`${JSON.stringify({ calls }, null, 2)}\n`);
      return 0;
    }
    if (calls.length === 0) {
      const filters = givenFilters(args, ["server", "tool", "method", "outcome", "since", "until", "before"]);
      io.stdout.write(
        filters
          ? `No calls match ${filters}.\n`
          : "No calls yet. Calls appear once an MCP client uses a server wrapped with `mcpscope run` or reached through `mcpscope proxy`.\n",
      );
      return 0;
    }
    io.stdout.write(
      `${renderTable(
        ["TIME", "SERVER", "OPERATION", "OUTCOME", "LATENCY", "ARGUMENTS"],
        calls.map((c) => [
          listedTime(c.startedAt, { ms: true }),
          c.server,
          operationText(c),
          callOutcomeText(c),
          formatMs(c.durationMs),
          oneLine(argumentsOf(c.request)),
        ]),
        [4],
        { 5: 60 },
      )}\n`,
    );
    return 0;
  },
};

function argumentsOf(request: string | null): string {
  if (!request) return "";
  try {
    const value = JSON.parse(request) as { params?: { arguments?: unknown } & Record<string, unknown> };
    const params = value.params ?? {};
    return JSON.stringify(
      params.arguments ?? Object.fromEntries(Object.entries(params).filter(([k]) => k !== "_meta")),
    );
  } catch {
    // A cut request (its text ends in the truncation marker): its arguments from where they start.
    const at = request.indexOf('"arguments":');
    return at === -1 ? "(cut before its arguments)" : request.slice(at + '"arguments":'.length);
  }
}

/** Runs of whitespace as one space: arguments on one table line (renderTable cuts them). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ");
}
