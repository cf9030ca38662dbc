import { sessionEndText } from "../../../shared/events.js";
import { listedTime } from "../../../shared/listed-time.js";
import { peerText } from "../../../shared/peer.js";
import { withStoreApi } from "../api-client.js";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { Command } from "../io.js";
import { recordedDataDir } from "../recorded-dir.js";
import { cellText } from "../terminal-text.js";

const FLAGS: FlagSpecs = {
  json: { kind: "boolean", help: 'print {"session": {…}, "items": […]}' },
};

const KIND_MARK = { call: "CALL ", log: "LOG  ", event: "EVENT" } as const;

export const sessionCommand: Command = {
  name: "session",
  summary: COMMAND_SUMMARIES.session,
  flags: { session: FLAGS },
  async run(argv, io) {
    const args = parseArgs("session", argv, FLAGS, { positionals: 1 });
    if (args.flags.help) {
      io.stdout.write(formatHelp("mcpscope session ID [--json]", this.summary, FLAGS));
      return 0;
    }
    const [id] = args.positionals;
    if (!id)
      throw new UsageError("which session? give its id (see `mcpscope calls --json` or `mcpscope events`)");
    recordedDataDir(args);
    const timeline = await withStoreApi(args, (api) => api.call("sessions.timeline", { id }));
    if (!timeline) {
      io.stderr.write(
        `mcpscope session: no session "${id}" in this data dir; every session has a \`wrapper.start\` or \`proxy.session_open\` event (\`mcpscope events --category system\`), and each call its \`sessionId\` (\`mcpscope calls --json\`)\n`,
      );
      return 1;
    }
    if (args.flags.json) {
      io.stdout.write(`${JSON.stringify(timeline, null, 2)}\n`);
      return 0;
    }
    const s = timeline.session;
    const client = peerText(s.clientName, s.clientVersion) ?? "unknown client";
    const server = peerText(s.serverName, s.serverVersion);
    io.stdout.write(
      `session ${s.id} — ${cellText(s.server)}${s.client ? ` (launched by ${cellText(s.client)}'s entry)` : ""}, ${cellText(client)}${server ? `, server ${cellText(server)}` : ""}${s.protocolVersion ? `, protocol ${cellText(s.protocolVersion)}` : ""}\n` +
        `started ${listedTime(s.startedAt, { ms: true })}${s.endedAt ? `, ended ${listedTime(s.endedAt, { ms: true })}` : ""} (${sessionEndText(s)})\n` +
        (s.dropped > 0 ? `${s.dropped} calls of this session were not recorded\n` : "") +
        "\n",
    );
    for (const item of timeline.items) {
      // A call's level is its outcome, which its summary says already (`tools/call x → tool_error (1 ms)`).
      const level = item.level && item.kind !== "call" ? ` [${item.level}]` : "";
      io.stdout.write(
        `${listedTime(item.time, { ms: true })}  ${KIND_MARK[item.kind]}${level} ${cellText(item.summary.replace(/\s+/g, " "))}\n`,
      );
    }
    if (timeline.items.length === 0) io.stdout.write("(nothing recorded in this session)\n");
    return 0;
  },
};
