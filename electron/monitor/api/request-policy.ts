/**
 * The one policy for requests that name a program to run or a place outside the data dir
 * (shared/request-policy.ts lists the methods). A request is judged against what it would replace: a
 * channel saved again with the same command, or a schedule with the same folder, is nothing new.
 * Everything else in the API acts on what the user's own configs, records or data dir already hold.
 */
import { realpathSync } from "node:fs";
import { basename, dirname, join, parse, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { SECRET_MASK } from "../../../shared/alerts.js";
import { isMethodName, type MethodName, parseMethodInput } from "../../../shared/api.js";
import type { ReportSchedule } from "../../../shared/report-schedules.js";
import { type Consent, REVIEWED_METHODS } from "../../../shared/request-policy.js";
import { resolveChannelPut } from "../alerts/channel-file.js";
import { maskStoredSecrets } from "../alerts/channels/secrets.js";
import { maskText } from "../discovery/mask-config.js";
import { shownCommandLine, shownEnv, visibleText } from "../discovery/shown-command.js";
import { expandFolder } from "../reports/schedule-run.js";
import { underHome } from "./config-handlers.js";

export interface PolicyContext {
  dataDir: string;
  /** The user's home folder: scheduled reports may go anywhere under it. */
  home: string;
  schedules(): readonly ReportSchedule[];
}

/** Null, or why the request needs the user's consent. Throws ApiInputError when the input is invalid. */
export function reviewRequest(method: string, input: unknown, context: PolicyContext): Consent | null {
  if (!isMethodName(method) || !REVIEWED_METHODS.has(method)) return null;
  return review(method, parseMethodInput(method, input) as Record<string, unknown>, context);
}

function review(method: MethodName, input: Record<string, unknown>, context: PolicyContext): Consent | null {
  switch (method) {
    case "servers.add":
      // A command sent with a remote transport is judged too, whatever the inventory would do with it.
      return input.transport === "stdio" || input.command !== undefined ? serverCommand(input) : null;
    case "alerts.channels.put":
      return channelCommand(String(input.yaml), input.replaces as string | undefined, context);
    case "reports.schedules.put":
      return scheduleFolder(input as ReportSchedule, context);
    case "discovery.list":
      return elsewhere(method, [input.home, ...((input.projectDirs as string[] | undefined) ?? [])]);
    case "instrument.entry":
    case "instrument.undo":
    case "instrument.repair":
      return elsewhere(method, [input.home, input.project, input.file]);
    default:
      return null;
  }
}

/** What else decides what a program does: ` with environment LD_PRELOAD=/tmp/x.so, A=••••••, in /tmp/x`. */
function runsWith(env: unknown, cwd: unknown, hide?: (part: string) => string): string {
  const names = shownEnv(env as Record<string, unknown> | undefined, hide);
  return `${names ? ` with environment ${names}` : ""}${typeof cwd === "string" ? `, in ${visibleText(cwd)}` : ""}`;
}

function serverCommand(input: Record<string, unknown>): Consent {
  const line = shownCommandLine(String(input.command ?? ""), (input.args as string[] | undefined) ?? []);
  const runs = `runs \`${line}\`${runsWith(input.env, input.cwd)}`;
  return {
    reason: `adds a server that ${runs}`,
    question: `Add a server that ${runs}?`,
    detail:
      "mcpscope will start this program to check the server's health, and whenever you press Start. Add it only if you typed it yourself.",
    confirm: "Add",
    elsewhere: "add it in the desktop app, or in servers.json in the data dir",
  };
}

function channelCommand(yaml: string, replaces: string | undefined, context: PolicyContext): Consent | null {
  // Read as the put reads it: what the put refuses is refused here.
  const { typed, entry, shown, known } = resolveChannelPut(context.dataDir, yaml, replaces);
  if (entry.type !== "command") return null;
  const now = commandOf(entry);
  // Sent against the stored channel as shown: a field left masked is unchanged, while a secret typed in
  // clear is new even when it matches, or the answer would confirm a guess of the stored value.
  const before = shown?.type === "command" ? commandOf(shown) : null;
  const sent = commandOf(typed);
  // A whole-record mask keeps the record.
  if (sent.env === SECRET_MASK && before?.env) sent.env = before.env;
  const sameLine =
    before !== null && isDeepStrictEqual([sent.command, sent.args], [before.command, before.args]);
  if (sameLine && isDeepStrictEqual(sent.env, before.env)) return null;
  // Restored, a field left masked holds its stored value, perhaps another channel's secret that a YAML
  // alias carried in: every stored value is hidden as the editor hides it.
  const hide = (part: string) => maskStoredSecrets(part, known);
  const line = shownCommandLine(now.command, now.args, hide);
  const env = now.env as Record<string, unknown> | null;
  const does = sameLine
    ? `changes the environment (${shownEnv(env, hide) || "none"}) of the alert channel that runs \`${line}\``
    : `saves an alert channel that runs \`${line}\`${runsWith(env, undefined, hide)}`;
  return {
    reason: does,
    question: `${sameLine ? "Change" : "Save"} ${does.replace(/^(changes|saves) /, "")}?`,
    detail:
      "mcpscope will run this program for every notification the channel is sent, and when you press Send test. Save it only if you typed it yourself.",
    confirm: "Save",
    elsewhere: "add it in the desktop app, or in alerts.yaml in the data dir",
  };
}

/** A command channel's program as alerts.yaml holds it, a missing `args` or `env` read as none. */
function commandOf(entry: Record<string, unknown>) {
  return {
    command: String(entry.command ?? ""),
    args: Array.isArray(entry.args) ? entry.args.map(String) : [],
    env: (entry.env ?? null) as unknown,
  };
}

function scheduleFolder(schedule: ReportSchedule, context: PolicyContext): Consent | null {
  if (schedule.folder === undefined) return null;
  const folder = expandFolder(schedule.folder);
  // Where the files would land: the writer follows links, so a link under home to elsewhere is elsewhere.
  const real = realFolder(folder);
  if (
    inHome(real, realFolder(resolve(context.home))) ||
    inside(real, realFolder(join(context.dataDir, "reports")))
  )
    return null;
  const before = context.schedules().find((s) => s.name === schedule.name);
  if (before?.folder !== undefined && expandFolder(before.folder) === folder) return null;
  const shown = visibleText(folder);
  return {
    reason: `writes scheduled reports into ${shown}, outside your home folder`,
    question: `Write scheduled reports into ${shown}?`,
    detail: "The folder is outside your home folder; mcpscope creates it if it is missing.",
    confirm: "Save",
    elsewhere: "pick a folder under your home folder, or use `mcpscope report schedule`",
  };
}

/** The command that does a config-editing method at the terminal. */
const TERMINAL_COMMAND: Partial<Record<MethodName, string>> = {
  "instrument.entry": "instrument",
  "instrument.repair": "instrument --repair",
};

/** discovery and instrument methods naming another home, project folder or config file. */
function elsewhere(method: MethodName, places: unknown[]): Consent | null {
  const named = places.filter((p): p is string => typeof p === "string");
  if (named.length === 0) return null;
  const list = named.map((p) => visibleText(maskText(p))).join(", ");
  const reads = method === "discovery.list";
  return {
    reason: reads
      ? `reads the MCP configs under a folder the request names (${list})`
      : `edits a client config under a folder or file the request names (${list})`,
    question: reads ? `Read the MCP configs under ${list}?` : `Edit the client config under ${list}?`,
    detail: "The request names a place outside the configs mcpscope found on this machine.",
    confirm: reads ? "Read" : "Edit",
    elsewhere: `use the terminal (\`mcpscope ${reads ? "discover" : (TERMINAL_COMMAND[method] ?? "uninstrument")}\`)`,
  };
}

/** A folder with its longest existing part resolved through links; the part yet to be made as written. */
function realFolder(path: string): string {
  const missing: string[] = [];
  let at = path;
  for (;;) {
    try {
      return join(realpathSync(at), ...missing.reverse());
    } catch {
      const up = dirname(at);
      if (up === at) return path;
      missing.push(basename(at));
      at = up;
    }
  }
}

/** Strictly inside the home folder; a home that is a filesystem root (`/` for many service accounts) holds nothing. */
function inHome(path: string, home: string): boolean {
  const resolved = resolve(home);
  return resolved !== parse(resolved).root && underHome(path, resolved);
}

function inside(path: string, folder: string): boolean {
  return path === resolve(folder) || underHome(path, folder);
}
