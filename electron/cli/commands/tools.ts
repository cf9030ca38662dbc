import { shortDigest } from "../../../shared/audit.js";
import type { ToolPin } from "../../../shared/events.js";
import { listedTime } from "../../../shared/listed-time.js";
import { withStoreApi } from "../api-client.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import { type Command, printOutcome } from "../io.js";
import { recordedDataDir } from "../recorded-dir.js";
import { checkServerFilter } from "../server-filter.js";
import { renderTable } from "../table.js";

const FLAGS: FlagSpecs = {
  server: { kind: "string", placeholder: "NAME", help: "only this server (required for approve)" },
  tool: { kind: "string", placeholder: "NAME", help: "only this tool (listed, or approved)" },
  json: {
    kind: "boolean",
    help: 'print {"pins": [{"server", "tool", "status", "hash", "pinnedAt", "definition", "pending", "findings"}]}; pending.hiddenChange says when the change lies inside a masked value',
  },
};

const USAGE =
  "mcpscope tools [--server NAME] [--tool NAME] [--json]\n       mcpscope tools approve --server NAME [--tool NAME]";

export const toolsCommand: Command = {
  name: "tools",
  summary: COMMAND_SUMMARIES.tools,
  flags: { tools: FLAGS },
  async run(argv, io) {
    const args = parseArgs("tools", argv, FLAGS, { positionals: 1 });
    if (args.flags.help) {
      io.stdout.write(formatHelp(USAGE, this.summary, FLAGS));
      return 0;
    }
    const [sub] = args.positionals;
    if (sub !== undefined && sub !== "approve")
      throw new UsageError(`unknown argument "${sub}"; see \`mcpscope tools --help\``);
    const server = flagString(args, "server");
    if (sub === "approve" && !server)
      throw new UsageError("tools approve needs --server NAME (and optionally --tool NAME)");
    recordedDataDir(args);
    return withStoreApi(args, async (api) => {
      if (sub === "approve" && server) {
        const result = await api.call("tools.approve", { server, tool: flagString(args, "tool") });
        if (args.flags.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else return printOutcome(io, "tools", result);
        return result.ok ? 0 : 1;
      }
      const tool = flagString(args, "tool");
      const pins = (await api.call("tools.pins", { server })).filter(
        (p) => tool === undefined || p.tool === tool,
      );
      if (pins.length === 0 && server !== undefined && tool === undefined)
        await checkServerFilter(api, server, "pins");
      if (args.flags.json) {
        io.stdout.write(`${JSON.stringify({ pins }, null, 2)}\n`);
        return 0;
      }
      if (pins.length === 0) {
        io.stdout.write(
          tool === undefined
            ? `no tools pinned ${server === undefined ? "yet" : `for ${server} yet`}; a server's tools are pinned the first time its tools/list is seen (mcpscope run or a health probe)\n`
            : `no tool named ${tool} is pinned${server === undefined ? "" : ` for ${server}`}; \`mcpscope tools${server === undefined ? "" : ` --server ${server}`}\` lists the pinned ones\n`,
        );
        return 0;
      }
      io.stdout.write(
        `${renderTable(
          ["SERVER", "TOOL", "STATUS", "HASH", "PINNED", "FINDINGS"],
          pins.map((p: ToolPin) => [
            p.server,
            p.tool,
            p.status === "changed"
              ? "CHANGED (approve to accept)"
              : p.status === "removed"
                ? "REMOVED"
                : "pinned",
            shortDigest(p.hash),
            listedTime(p.pinnedAt),
            p.findings.map((f) => f.rule).join(", "),
          ]),
        )}\n`,
      );
      for (const p of pins)
        if (p.pending?.hiddenChange) io.stdout.write(`${p.server}/${p.tool}: ${p.pending.hiddenChange}\n`);
      return 0;
    });
  },
};
