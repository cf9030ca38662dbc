/**
 * `mcpscope alerts`: a client of the typed API's `alerts.*` methods, served in this process by the same
 * handlers as the engine's (alerts/alert-handlers.ts) over the stored states (alerts/stored-alerts.ts).
 * The engine evaluates and notifies; this reads and edits the same store, and the API's schemas check
 * its flags.
 */
import { type AlertInstance, ruleFileFallbackText } from "../../../shared/alerts.js";
import { type ApiClient, createApiClient } from "../../../shared/api.js";
import { listedTime } from "../../../shared/listed-time.js";
import { MAX_DURATION_TEXT } from "../../../shared/units.js";
import { alertHandlers } from "../../monitor/alerts/alert-handlers.js";
import type { AlertServices } from "../../monitor/alerts/alert-manager.js";
import { formatMatcher, parseMatcher } from "../../monitor/alerts/matchers.js";
import { storedAlerts } from "../../monitor/alerts/stored-alerts.js";
import { inProcessTransport } from "../../monitor/api/in-process.js";
import { localActor } from "../../monitor/audit/admin.js";
import { recordAdminAction } from "../../monitor/audit/audit-log.js";
import { runningEngines } from "../../monitor/engine-presence.js";
import { MonitoringError } from "../../monitor/errors.js";
import { insertEvent } from "../../monitor/events/tracker.js";
import { databasePath } from "../../monitor/paths.js";
import type { Db } from "../../monitor/store/db.js";
import { recordedServerNames } from "../../monitor/store/queries.js";
import { callWithFlags, numberOrText } from "../api-input.js";
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
import { type Command, printOutcome } from "../io.js";
import { openAtTerminal } from "../open-db.js";
import { recordedDataDir } from "../recorded-dir.js";
import { requireKnownServers } from "../server-filter.js";
import { renderTable } from "../table.js";
import { askOrStore, engineEdit } from "./alert-engine-edits.js";
import { sendTest } from "./alert-test.js";

const FLAGS: FlagSpecs = {
  status: {
    kind: "string",
    placeholder: "STATE",
    help: "list: firing, pending or resolved (default firing and pending)",
  },
  server: { kind: "string", placeholder: "NAME", help: "list, history: only this server" },
  rule: { kind: "string", placeholder: "NAME", help: "history: only this rule" },
  since: {
    kind: "string",
    placeholder: "TIME",
    help: "history: changes after this (default 24h; 7d, ISO 8601)",
  },
  limit: {
    kind: "string",
    placeholder: "N",
    default: "100",
    help: "history: at most N changes, newest first",
  },
  for: {
    kind: "string",
    placeholder: "DURATION",
    default: "1h",
    help: `silence, pause: how long (30m, 4h, 2d; at most ${MAX_DURATION_TEXT})`,
  },
  comment: { kind: "string", placeholder: "TEXT", help: "silence: why" },
  all: { kind: "boolean", help: "silences: include expired ones" },
  json: { kind: "boolean", help: "print one JSON document" },
};

/** Which words and flags each subcommand takes: a flag of another one is refused, not ignored. */
const SUBCOMMANDS: ArgShape = {
  subcommands: {
    list: { flags: ["status", "server", "json"] },
    history: { flags: ["since", "rule", "server", "limit", "json"] },
    silence: { positionals: Number.POSITIVE_INFINITY, flags: ["for", "comment", "json"] },
    unsilence: { positionals: 1, flags: ["json"] },
    acknowledge: { positionals: 1, flags: ["json"] },
    ack: { positionals: 1, flags: ["json"] },
    unacknowledge: { positionals: 1, flags: ["json"] },
    unack: { positionals: 1, flags: ["json"] },
    pause: { flags: ["for", "json"] },
    resume: { flags: ["json"] },
    silences: { flags: ["all", "json"] },
    test: { positionals: 1, flags: ["json"] },
    rules: { flags: ["json"] },
  },
  defaultSubcommand: "list",
};

const USAGE = `mcpscope alerts [--status firing|pending|resolved] [--server NAME] [--json]
       mcpscope alerts history [--since 24h] [--rule NAME] [--server NAME] [--limit N] [--json]
       mcpscope alerts silence MATCHER… [--for 1h] [--comment TEXT]
       mcpscope alerts unsilence ID
       mcpscope alerts silences [--all] [--json]
       mcpscope alerts acknowledge|unacknowledge ID [--json]
       mcpscope alerts pause [--for 1h] [--json]
       mcpscope alerts resume [--json]
       mcpscope alerts test CHANNEL [--json]
       mcpscope alerts rules [--json]`;

const HELP = `Alerts are evaluated by the app (or \`mcpscope serve\`) from the rules in alerts.yaml in the data dir;
these commands read and change the same store. A MATCHER is name=value, name!=value, name=~regex or
name!~regex over an alert's labels: alertname (the rule), severity, server, tool…
  mcpscope alerts silence alertname=tool-error-rate server=memory --for 2h --comment "deploying"
acknowledge stops a firing alert's repeat notifications until it resolves (ack for short; ID is the
alert's fingerprint, as \`mcpscope alerts\` lists it); unacknowledge (unack) takes that back.
  mcpscope alerts ack 3f9c0a17be42d6e1
pause holds back the desktop notifications (the app's and a browser tab's; other channels still
deliver) for --for, resume lets them through again. These go through the running app or
\`mcpscope serve\`, whose window and tray follow at once; with none running they are stored, and the
next one to start applies them.
rules lists the rules in effect with each one's condition in one line, as the app's Rules tab does
(when alerts.yaml has a mistake, its last good version's, and a last line says so).
test sends a test notification through a channel now, once (a failed test is not retried), and prints
the attempt; test desktop is shown by the running app's window or a serve tab (waiting up to 5 s), and
is not sent while desktop notifications are paused (resume first).
Exit codes: 0 ok, 1 a failed delivery or a test not sent, unknown name or silence, no firing alert by
that ID, or a running engine that did not apply the change within 5 s (nothing was changed), 2 usage.`;

const NOT_EVALUATING =
  "nothing is evaluating the rules now: no engine runs on this data dir (start the app or `mcpscope serve`); these are the states when one last ran";

function time(isoText: string | null): string {
  return isoText ? listedTime(isoText) : "–";
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k]) => k !== "alertname" && k !== "severity")
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

function stateText(a: AlertInstance): string {
  if (a.silencedBy.length) return `${a.state} (silenced)`;
  if (a.inhibited) return `${a.state} (inhibited)`;
  return a.acknowledged ? `${a.state} (acked)` : a.state;
}

/**
 * An empty answer for a `--rule` or `--server` that names nothing known is most likely a typo: said in
 * one line naming the known ones (exit 1), as the other commands that filter by server do.
 */
async function checkNames(db: Db, api: ApiClient, rule?: string, server?: string): Promise<void> {
  const labelled = (column: string) =>
    db
      .prepare(
        `SELECT ${column} AS name FROM alert_history UNION SELECT ${column} FROM alert_instances ORDER BY 1`,
      )
      .all()
      .map((row) => row.name)
      .filter((name): name is string => typeof name === "string" && name !== "");
  if (server !== undefined)
    requireKnownServers(
      [server],
      [...recordedServerNames(db), ...labelled("json_extract(labels, '$.server')")],
      "calls or alerts",
    );
  if (rule === undefined) return;
  const { rules } = await api.call("alerts.rules", {});
  const names = [...new Set([...rules.map((r) => r.name), ...labelled("rule")])].sort();
  if (!names.includes(rule))
    throw MonitoringError.input(`no rule named "${rule}"; known: ${names.join(", ")}`);
}

export const alertsCommand: Command = {
  name: "alerts",
  summary: COMMAND_SUMMARIES.alerts,
  flags: flagsBySubcommand("alerts", FLAGS, SUBCOMMANDS),
  async run(argv, io) {
    const args = parseArgs("alerts", argv, FLAGS, SUBCOMMANDS);
    if (args.flags.help) {
      io.stdout.write(formatHelp(USAGE, this.summary, FLAGS, HELP));
      return 0;
    }
    const [sub = "list", ...rest] = args.positionals;
    const status = flagString(args, "status");
    const dataDir = recordedDataDir(args);
    const db = openAtTerminal(databasePath(dataDir));
    const problems: string[] = [];
    // The same handlers as the app's engine, over the stored states: the engine evaluates, not this.
    let services: AlertServices | undefined;
    const api = createApiClient(
      inProcessTransport(
        alertHandlers(() => {
          services ??= storedAlerts({
            dataDir,
            db,
            event: (e) => insertEvent(db, e),
            audit: (action) => recordAdminAction(db, { ...action, actor: localActor() }),
            warn: (p) => problems.push(p),
          });
          return services;
        }),
      ),
    );
    const json = Boolean(args.flags.json);
    try {
      switch (sub) {
        case "list": {
          const alerts = await callWithFlags(
            api,
            "alerts.list",
            { status, server: flagString(args, "server") },
            { status: "status", server: "server" },
          );
          if (alerts.length === 0) await checkNames(db, api, undefined, flagString(args, "server"));
          const evaluating = runningEngines(dataDir).some((e) => e.alerts);
          if (json) io.stdout.write(`${JSON.stringify({ alerts, evaluating })}\n`);
          else if (alerts.length === 0)
            io.stdout.write(
              status
                ? `no ${status} alerts\n`
                : "no alerts firing or pending (mcpscope alerts history shows past ones)\n",
            );
          else
            io.stdout.write(
              `${renderTable(
                ["STATE", "SEVERITY", "RULE", "LABELS", "SINCE", "SUMMARY", "ID"],
                alerts.map((a) => [
                  stateText(a),
                  a.severity,
                  a.rule,
                  labelText(a.labels),
                  time(a.firedAt ?? a.activeAt),
                  a.summary,
                  a.id,
                ]),
              )}\n`,
            );
          if (!evaluating && !json) io.stdout.write(`${NOT_EVALUATING}\n`);
          return 0;
        }
        case "history": {
          const entries = await callWithFlags(
            api,
            "alerts.history",
            {
              since: flagString(args, "since") ?? "24h",
              rule: flagString(args, "rule"),
              server: flagString(args, "server"),
              limit: numberOrText(flagString(args, "limit")) ?? 100,
            },
            { since: "since", rule: "rule", server: "server", limit: "limit" },
          );
          if (entries.length === 0)
            await checkNames(db, api, flagString(args, "rule"), flagString(args, "server"));
          if (json) io.stdout.write(`${JSON.stringify({ history: entries })}\n`);
          else if (entries.length === 0) io.stdout.write("no alert changes in that range\n");
          else
            io.stdout.write(
              `${renderTable(
                ["TIME", "RULE", "CHANGE", "SEVERITY", "LABELS", "SUMMARY"],
                entries.map((e) => [
                  time(e.time),
                  e.rule,
                  `${e.from} → ${e.to}`,
                  e.severity,
                  labelText(e.labels),
                  e.summary,
                ]),
              )}\n`,
            );
          return 0;
        }
        case "silence": {
          if (rest.length === 0)
            throw new UsageError(
              "silence needs at least one MATCHER, like alertname=tool-error-rate server=memory",
            );
          const matchers = rest.map((text) => {
            try {
              return parseMatcher(text);
            } catch (error) {
              throw new UsageError((error as Error).message);
            }
          });
          const { result, engine } = await askOrStore(
            { dataDir, db, api },
            "alerts.silence",
            {
              matchers,
              duration: flagString(args, "for") ?? "1h",
              comment: flagString(args, "comment"),
              createdBy: localActor(),
            },
            { duration: "for", comment: "comment" },
          );
          const silence = result.silence;
          if (!silence) {
            if (json) io.stdout.write(`${JSON.stringify({ ...result, engine })}\n`);
            else io.stderr.write(`mcpscope alerts: ${result.message}\n`);
            return 1;
          }
          if (json) io.stdout.write(`${JSON.stringify({ silence, engine })}\n`);
          else
            io.stdout.write(
              `silenced ${matchers.map(formatMatcher).join(" ")} until ${time(silence.endsAt)} (id ${silence.id})\n`,
            );
          return 0;
        }
        case "unsilence": {
          const id = rest[0];
          if (!id) throw new UsageError("unsilence needs a silence ID (see `mcpscope alerts silences`)");
          const { result, engine } = await askOrStore({ dataDir, db, api }, "alerts.unsilence", { id });
          if (!json) return printOutcome(io, "alerts", result);
          io.stdout.write(`${JSON.stringify({ ...result, engine })}\n`);
          return result.ok ? 0 : 1;
        }
        case "acknowledge":
        case "ack":
        case "unacknowledge":
        case "unack": {
          const id = rest[0];
          if (!id) throw new UsageError(`${sub} needs an alert ID (see \`mcpscope alerts\`)`);
          const method = sub.startsWith("un") ? "alerts.unacknowledge" : "alerts.acknowledge";
          return await engineEdit({ dataDir, db, api, io, json }, method, { id });
        }
        case "pause":
        case "resume":
          return await engineEdit(
            { dataDir, db, api, io, json },
            "alerts.pause",
            { duration: sub === "pause" ? (flagString(args, "for") ?? "1h") : null },
            { duration: "for" },
          );
        case "silences": {
          const silences = await api.call("alerts.silences", { includeExpired: Boolean(args.flags.all) });
          if (json) io.stdout.write(`${JSON.stringify({ silences })}\n`);
          else if (silences.length === 0) io.stdout.write("no active silences\n");
          else
            io.stdout.write(
              `${renderTable(
                ["ID", "MATCHERS", "ENDS", "BY", "COMMENT", "ACTIVE"],
                silences.map((s) => [
                  s.id,
                  s.matchers.map(formatMatcher).join(" "),
                  time(s.endsAt),
                  s.createdBy,
                  s.comment,
                  s.problem ? `no: ${s.problem}` : s.active ? "yes" : "no",
                ]),
              )}\n`,
            );
          return 0;
        }
        case "rules": {
          const doc = await api.call("alerts.rules", {});
          // The listing says what the file's mistake leaves in effect; once is enough.
          const problem = doc.problem;
          if (problem) problems.splice(0, problems.length, ...problems.filter((p) => !p.includes(problem)));
          if (json)
            io.stdout.write(
              `${JSON.stringify({ rules: doc.rules, problem: doc.problem, inEffect: doc.inEffect })}\n`,
            );
          else
            io.stdout.write(
              `${renderTable(
                ["RULE", "SEVERITY", "STATE", "FROM", "CONDITION"],
                doc.rules.map((r) => [
                  r.name,
                  r.severity,
                  r.enabled ? "enabled" : "disabled",
                  r.builtin ? "built in" : "yours",
                  r.condition,
                ]),
              )}\n${doc.problem ? `${doc.path} has a mistake; ${ruleFileFallbackText(doc.inEffect)}: ${doc.problem}\n` : ""}`,
            );
          return 0;
        }
        default: {
          const channel = rest[0];
          if (!channel) throw new UsageError("test needs a CHANNEL name (desktop, or one from alerts.yaml)");
          return await sendTest(api, io, channel, json);
        }
      }
    } finally {
      for (const p of problems) io.stderr.write(`mcpscope alerts: ${p}\n`);
      db.close();
    }
  },
};
