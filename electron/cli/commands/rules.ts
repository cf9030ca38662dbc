/**
 * `mcpscope rules`: `check` is a client of the API method `alerts.rules.check`, served in this process;
 * `test` runs rule unit tests over files, as promtool does (alerts/rule-tests.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import type { RuleFileCheck } from "../../../shared/alerts.js";
import { createApiClient } from "../../../shared/api.js";
import { plural } from "../../../shared/plural.js";
import { checkRuleFile } from "../../monitor/alerts/alert-handlers.js";
import { alertsFilePath } from "../../monitor/alerts/rule-file.js";
import { runRuleTests } from "../../monitor/alerts/rule-tests.js";
import { inProcessTransport } from "../../monitor/api/in-process.js";
import { MonitoringError } from "../../monitor/errors.js";
import { resolveDataDir } from "../../monitor/paths.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { CliIo, Command } from "../io.js";

const FLAGS: FlagSpecs = {
  json: { kind: "boolean", help: "print one JSON document" },
};

const USAGE = "mcpscope rules check [FILE] [--json] | mcpscope rules test FILE [--json]";

const HELP = `check validates an alert rule file (by default alerts.yaml in the data dir) and exits 1 with
one line naming the line and key of the first problem. A valid file that uses a deprecated setting
(history_retention) passes, with a note line saying what to use instead (--json: "notes").
test runs rule unit tests, as promtool does: a YAML file with rule_files, and tests that give
input_series (signal{label="value"} and values like "0 0.5x10") and alert_rule_test entries
(eval_time, alertname, exp_alerts with exp_labels and exp_summary). Exits 1 when any check fails.`;

/** A rule or test file the command line points at; one that cannot be read is a usage error (exit 2). */
function readNamedFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

export const rulesCommand: Command = {
  name: "rules",
  summary: COMMAND_SUMMARIES.rules,
  flags: { rules: FLAGS },
  async run(argv, io) {
    const args = parseArgs("rules", argv, FLAGS, {
      subcommands: { check: { positionals: 1 }, test: { positionals: 1 } },
    });
    const [sub, file] = args.positionals;
    if (args.flags.help) {
      io.stdout.write(formatHelp(USAGE, this.summary, FLAGS, HELP));
      return 0;
    }
    if (!file && sub === "test") throw new UsageError("rules test needs a FILE of tests");
    if (sub === "check") {
      // Without a FILE: the data dir's own alerts.yaml, the one the app uses.
      const path = file ?? alertsFilePath(resolveDataDir(flagString(args, "data-dir")));
      if (!file && !existsSync(path)) {
        printMissing(io, path, args.flags.json === true);
        return 0;
      }
      return printCheck(io, path, readNamedFile(path), args.flags.json === true);
    }
    readNamedFile(file as string); // a FILE that cannot be read is a usage error, as for `rules check`
    const result = runRuleTests(file as string);
    if (args.flags.json)
      io.stdout.write(`${JSON.stringify({ ok: result.failures.length === 0, ...result })}\n`);
    else {
      for (const f of result.failures)
        io.stdout.write(`FAILED ${f.test}: at ${f.evalTime}, ${f.alertname}: ${f.message}\n`);
      io.stdout.write(
        `${result.failures.length === 0 ? "SUCCESS" : "FAILED"}: ${plural(result.tests, "test")}, ${plural(result.checks, "check")}, ${plural(result.failures.length, "failure")}\n`,
      );
    }
    return result.failures.length === 0 ? 0 : 1;
  },
};

/** The data dir has no rule file: a fact, not a failure (with --json, a field of the one document). */
function printMissing(io: CliIo, path: string, json: boolean): void {
  const notice = `${path} does not exist: the built-in rules and desktop notifications are in effect`;
  io.stdout.write(
    json ? `${JSON.stringify({ ok: true, file: path, exists: false, notice })}\n` : `${notice}\n`,
  );
}

/**
 * The check's answer. A file that does not validate is the answer too with --json (`ok: false` and the
 * one-line error, exit 1), as `db check --json` and `rules test --json` say a failed check.
 */
async function printCheck(io: CliIo, path: string, text: string, json: boolean): Promise<number> {
  const api = createApiClient(inProcessTransport({ "alerts.rules.check": checkRuleFile }));
  let summary: RuleFileCheck;
  try {
    summary = await api.call("alerts.rules.check", { text, fileName: basename(path) });
  } catch (error) {
    if (!json || !(error instanceof MonitoringError)) throw error;
    io.stdout.write(`${JSON.stringify({ ok: false, file: path, exists: true, error: error.message })}\n`);
    return 1;
  }
  if (json) io.stdout.write(`${JSON.stringify({ ...summary, file: path, exists: true })}\n`);
  else
    io.stdout.write(
      `${path}: OK — ${plural(summary.rules, "rule")} (${summary.userRules} yours, ${summary.rules - summary.userRules} built in${
        summary.disabled.length ? `; disabled: ${summary.disabled.join(", ")}` : ""
      }), ${plural(summary.channels.length, "channel")}, ${plural(summary.routes, "route")}\n${summary.notes
        .map((note) => `${path}: ${note}\n`)
        .join("")}`,
    );
  return 0;
}
