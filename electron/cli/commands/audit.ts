import { once } from "node:events";
import type { ApiClient } from "../../../shared/api.js";
import { type AuditExportRecord, AuditRecordSchema } from "../../../shared/audit.js";
import { csvField } from "../../../shared/files.js";
import { checkOutputTarget, openOutputFile, outputTarget } from "../../monitor/output-file.js";
import { fixedTime } from "../../monitor/time.js";
import { withStoreApi } from "../api-client.js";
import {
  type ArgShape,
  type FlagSpecs,
  flagString,
  flagsBySubcommand,
  formatHelp,
  parseArgs,
  UsageError,
} from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { Command } from "../io.js";
import { recordedDataDir } from "../recorded-dir.js";
import { cleanUpOnStopSignals } from "../stop-signals.js";
import { auditDigest, readArguments } from "./audit-digest.js";

const FLAGS: FlagSpecs = {
  json: { kind: "boolean", help: "verify: print one JSON document {ok, records, broken?, from?}" },
  since: {
    kind: "string",
    placeholder: "TIME",
    help: "export: records at or after this (1h, 7d or ISO 8601)",
  },
  until: { kind: "string", placeholder: "TIME", help: "export: records before this" },
  format: { kind: "string", placeholder: "FORMAT", default: "jsonl", help: "export: jsonl or csv" },
  output: {
    kind: "string",
    placeholder: "FILE",
    help: "export: write to FILE (owner-only, whole or not at all) instead of stdout",
  },
  force: { kind: "boolean", help: "export: replace the --output file if it exists (refused otherwise)" },
  record: {
    kind: "string",
    placeholder: "ID",
    help: "digest: check the arguments against this record's args_digest instead of printing the digest",
  },
};

const SUBCOMMANDS: ArgShape = {
  subcommands: {
    verify: { flags: ["json"] },
    export: { flags: ["since", "until", "format", "output", "force"] },
    digest: { positionals: 1, flags: ["record"] },
  },
};

const USAGE =
  "mcpscope audit verify [--json] | mcpscope audit export [--since T] [--until T] [--format jsonl|csv] [--output FILE [--force]] | mcpscope audit digest ARGS_JSON|- [--record ID]";

/** Records one audit.export page holds: the export streams page after page. */
const EXPORT_PAGE = 1000;

/** The JSON lines' keys, in the schema's order: the stored columns, with `time_iso` after `time`. */
const JSONL_COLUMNS = Object.keys(AuditRecordSchema.shape) as (keyof AuditExportRecord)[];

/** One exported record, its keys in the columns' order whichever order the page had them in. */
function exportRow(record: AuditExportRecord): Record<string, string | number | null> {
  return Object.fromEntries(JSONL_COLUMNS.map((column) => [column, record[column]]));
}

/**
 * CSV is read by people and spreadsheets: `time` is ISO 8601 UTC there, and the stored epoch
 * milliseconds (which the hash covers) follow as `time_ms`.
 */
export const CSV_COLUMNS = [
  "id",
  "time",
  "time_ms",
  ...JSONL_COLUMNS.filter((c) => c !== "id" && c !== "time" && c !== "time_iso"),
];

function csvRow(row: Record<string, string | number | null>): Record<string, string | number | null> {
  return { ...row, time: row.time_iso ?? null, time_ms: row.time ?? null };
}

/** Writes to a stream, waiting when it is full. */
function writeTo(out: NodeJS.WritableStream): (text: string) => Promise<void> {
  return async (text) => {
    if (!out.write(text)) await once(out, "drain");
  };
}

/** Streams the records page after page, one write per page. */
async function exportRecords(
  api: ApiClient,
  write: (text: string) => Promise<void>,
  opts: { format: "jsonl" | "csv"; since?: string; until?: string },
): Promise<void> {
  const { format, since, until } = opts;
  if (format === "csv") await write(`${CSV_COLUMNS.join(",")}\r\n`);
  let after: number | null | undefined;
  do {
    const page = await api.call("audit.export", {
      since,
      until,
      after: after ?? undefined,
      limit: EXPORT_PAGE,
    });
    let text = "";
    for (const record of page.records) {
      const row = exportRow(record);
      const csv = format === "csv" ? csvRow(row) : null;
      text += csv
        ? `${CSV_COLUMNS.map((c) => csvField(csv[c] ?? null)).join(",")}\r\n`
        : `${JSON.stringify(row)}\n`;
    }
    if (text) await write(text);
    after = page.next;
  } while (after !== null);
}

export const auditCommand: Command = {
  name: "audit",
  summary: COMMAND_SUMMARIES.audit,
  flags: flagsBySubcommand("audit", FLAGS, SUBCOMMANDS),
  async run(argv, io) {
    const args = parseArgs("audit", argv, FLAGS, SUBCOMMANDS);
    const sub = args.positionals[0];
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          USAGE,
          this.summary,
          FLAGS,
          "verify exits 0 when the chain is intact and 1 naming the first broken record (id, time, why).\n" +
            "digest prints the keyed digest of a call's arguments (JSON; - reads them from stdin), computed with\n" +
            "this data dir's audit-key; with --record it says whether they match that record (exit 0) or not (1),\n" +
            "or that it cannot be checked here (3): keyed with a key this data dir does not hold, or naming no key\n" +
            "and older than this data dir's audit-key.",
        ),
      );
      return 0;
    }
    const dataDir = recordedDataDir(args);
    if (sub === "digest") {
      const record = flagString(args, "record");
      const id = record === undefined ? null : Number(record);
      if (id !== null && !(Number.isSafeInteger(id) && id > 0))
        throw new UsageError(`--record: use a record id (a positive whole number), not "${record}"`);
      const callArgs = readArguments(args.positionals[1]);
      return auditDigest(io, dataDir, callArgs, id, (ask) => withStoreApi(args, ask));
    }
    if (sub === "verify") {
      const result = await withStoreApi(args, (api) => api.call("audit.verify", {}));
      if (args.flags.json) io.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.ok) {
        const from = result.from
          ? ` from record ${result.from.id} (${result.from.timeIso}); records 1..${result.from.prunedThrough} were pruned by retention, vouched for by checkpoint ${result.from.digest.slice(0, 12)}`
          : "";
        io.stdout.write(`${result.records} records, chain intact${from}\n`);
      } else if (result.broken) {
        const b = result.broken;
        io.stdout.write(`audit chain broken at record ${b.id} (${b.timeIso}): ${b.reason} — ${b.message}\n`);
      }
      return result.ok ? 0 : 1;
    }
    const format = flagString(args, "format") ?? "jsonl";
    if (format !== "jsonl" && format !== "csv")
      throw new UsageError(`--format: use jsonl or csv, not "${format}"`);
    // Resolved once: a duration (7d) would move with every page otherwise.
    const now = Date.now();
    const since = fixedTime(flagString(args, "since"), now);
    const until = fixedTime(flagString(args, "until"), now);
    const file = flagString(args, "output");
    const toFile = file !== undefined && file !== "-";
    const force = args.flags.force === true;
    if (toFile) checkOutputTarget(file, { force, dataDir });
    return withStoreApi(args, async (api) => {
      const output = toFile
        ? await openOutputFile(outputTarget(file, { force, dataDir }), {
            force,
            onStop: cleanUpOnStopSignals,
          })
        : null;
      try {
        const write = output ? (text: string) => output.write(text) : writeTo(io.stdout);
        await exportRecords(api, write, { format, since, until });
      } catch (error) {
        await output?.abort();
        throw error;
      }
      await output?.commit();
      return 0;
    });
  },
};
