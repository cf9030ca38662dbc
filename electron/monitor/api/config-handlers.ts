/**
 * The API methods that edit clients' configs entry by entry, as `mcpscope uninstrument` asks: the CLI
 * serves them in process, and the engine registers the same ones, so every front restores the same way.
 */
import { ApiInputError } from "../../../shared/api.js";
import type { ClientId } from "../../../shared/discovery.js";
import type { InstrumentEntryResult, RepairResult, UndoInstrumentResult } from "../../../shared/servers.js";
import { defaultDiscoveryContext } from "../discovery/context.js";
import { discoverServers } from "../discovery/discover.js";
import { maskArgs, maskText } from "../discovery/mask-config.js";
import { MonitoringError } from "../errors.js";
import {
  instrument,
  type UninstrumentAllItem,
  uninstrumentAll,
  uninstrumentRecord,
} from "../instrument/instrument.js";
import { instrumentRemote } from "../instrument/instrument-remote.js";
import { readRecords } from "../instrument/records.js";
import { repairEntries } from "../instrument/repair.js";
import { pruneAfterConfigChange } from "../instrument/runtime-prune.js";
import { defaultDataDir } from "../paths.js";
import {
  ambiguousMessage,
  entryPlace,
  matchesPick,
  placeChoices,
  realFile,
  recordId,
  recordPlace,
  underHome,
} from "./entry-pick.js";
import type { ApiHandlers } from "./in-process.js";
import type { CONFIG_METHODS } from "./method-groups.js";

export type ConfigMethod = (typeof CONFIG_METHODS)[number];

export interface ConfigHandlerOptions {
  dataDir: string;
  /** After a config was edited: the engine re-reads its remote proxies. */
  changed?: () => Promise<void>;
}

export { underHome } from "./entry-pick.js";

/** When the entry is wrapped in `mcpscope run` by hand, why there is nothing to undo. */
async function wrappedByHand(
  client: ClientId,
  name: string,
  home: string | undefined,
): Promise<string | null> {
  const { servers } = await discoverServers(await defaultDiscoveryContext({ home }), { clients: [client] });
  const found = servers.find((s) => s.definition.name === name && s.wrapped?.byHand);
  return found
    ? `${name} (${client}) is not instrumented by mcpscope: its entry in ${found.location?.file} was wrapped in \`mcpscope run\` by hand; remove the wrapper there by hand`
    : null;
}

export function configHandlers(options: ConfigHandlerOptions): Pick<ApiHandlers, ConfigMethod> {
  const { dataDir } = options;
  return {
    "instrument.entry": async (input): Promise<InstrumentEntryResult> => {
      const { client, server: name, file } = input;
      const ctx = await defaultDiscoveryContext({
        home: input.home,
        projectDirs: input.project ? [input.project] : [],
      });
      const { servers, warnings } = await discoverServers(ctx, { clients: [client] });
      const place = (s: (typeof servers)[number]) =>
        entryPlace(s.location?.file ?? "", s.definition.scope, s.location?.path ?? []);
      const named = servers.filter((s) => s.definition.name === name && s.location);
      const picked = named.filter((s) => matchesPick(place(s), input));
      // An entry mcpscope does not edit (a Gemini extension's) only gets in the way of an editable one; on
      // its own it is still picked, and refused with its reason.
      const editable = picked.filter((s) => !s.definition.notEditable);
      const matches = picked.length > 1 && editable.length > 0 ? editable : picked;
      if (matches.length === 0 && named.length > 0) {
        const places = named.map(place);
        throw MonitoringError.input(
          `no "${name}" entry of ${client} matches those flags; it is in: ${placeChoices(places)}`,
        );
      }
      if (matches.length === 0) {
        // A config that cannot be read (or an entry skipped) hides its servers: that is the problem to fix.
        const problems = warnings.filter((w) => !file || realFile(w.file) === realFile(file));
        const first = problems[0];
        if (first)
          throw MonitoringError.input(
            `cannot find "${name}": ${client}'s config ${first.file}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problems; \`mcpscope discover\` lists them)` : ""}; fix it and try again (nothing was changed)`,
          );
        throw MonitoringError.input(
          `no server "${name}" in ${client}'s config${file ? ` file ${file}` : ""}; \`mcpscope discover --client ${client}\` lists them`,
        );
      }
      if (matches.length > 1) {
        const message = ambiguousMessage(`"${name}" (${client}) is in`, matches.map(place));
        throw new ApiInputError("instrument.entry", message, { field: "file", message });
      }
      const found = matches[0]!;
      if (found.definition.transport !== "stdio") {
        const {
          status,
          server,
          file: where,
          upstream,
          url,
          backup,
          warning,
        } = await instrumentRemote(found, { dataDir });
        if (status !== "already-instrumented") await options.changed?.();
        return {
          kind: "proxied",
          status,
          client,
          server,
          file: where,
          upstream: maskText(upstream),
          url: maskText(url),
          backup,
          warning,
          disabled: found.definition.disabled,
        };
      }
      const result = await instrument(found, {
        dataDir,
        // Written into the entry only when the wrapper would not find this data dir by default.
        wrapperDataDir: dataDir === defaultDataDir({}) ? undefined : dataDir,
      });
      return {
        kind: "wrapped",
        status: result.status,
        client,
        server: result.server,
        file: result.file,
        command: result.after.command,
        args: maskArgs(result.after.args, result.after.command),
        backup: result.backup,
        warning: result.warning,
        before: {
          command: maskText(result.before.command),
          args: maskArgs(result.before.args, result.before.command),
        },
        byHand: found.wrapped?.byHand === true,
        disabled: found.definition.disabled,
        notes: result.notes,
        gone: result.gone ?? null,
        other: result.other ? { ...result.other, path: maskText(result.other.path) } : null,
        pruned: await pruneAfterConfigChange(dataDir, input.home),
      };
    },
    "instrument.repair": async (input): Promise<RepairResult> => {
      const { id, client, server, home } = input;
      const ctx = await defaultDiscoveryContext({ home });
      if (id && !(await readRecords(dataDir)).some((r) => recordId(r, ctx) === id))
        throw MonitoringError.input(
          `no entry mcpscope instrumented has the id ${id} (\`mcpscope instrumented\` lists them); nothing was changed`,
        );
      const items = await repairEntries({
        dataDir,
        only: (r) =>
          (!id || recordId(r, ctx) === id) &&
          (!client || r.client === client) &&
          (!server || r.server === server) &&
          (!home || underHome(r.file, home)) &&
          matchesPick(recordPlace(r, ctx), input),
      });
      if (items.some((i) => i.result?.status === "repaired")) await options.changed?.();
      return {
        entries: items.map(({ record, result, error }) => ({
          client: record.client,
          server: record.server,
          file: record.file,
          status: result?.status ?? "failed",
          was: result?.was ?? null,
          now: result?.now ?? null,
          gone: result?.gone ?? null,
          backup: result?.backup ?? null,
          warning: result?.warning ?? null,
          error: error ?? null,
        })),
        pruned: await pruneAfterConfigChange(dataDir, home),
      };
    },
    "instrument.undo": async (input): Promise<UndoInstrumentResult> => {
      const opts = { dataDir, force: input.force === true };
      const home = input.home;
      let items: UninstrumentAllItem[];
      if (input.all) {
        items = await uninstrumentAll({ ...opts, only: home ? (r) => underHome(r.file, home) : undefined });
      } else {
        const client = input.client as ClientId;
        const name = input.server as string;
        const mine = (await readRecords(dataDir)).filter(
          (r) => r.client === client && r.server === name && (!home || underHome(r.file, home)),
        );
        const ctx = await defaultDiscoveryContext({ home });
        const place = (r: (typeof mine)[number]) => recordPlace(r, ctx);
        const records = mine.filter((r) => matchesPick(place(r), input));
        if (records.length === 0 && mine.length > 0) {
          const places = mine.map(place);
          throw MonitoringError.input(
            `no instrumented "${name}" entry of ${client} matches those flags; it is instrumented in: ${placeChoices(places)}`,
          );
        }
        if (records.length === 0) {
          const byHand = await wrappedByHand(client, name, home);
          if (byHand) throw MonitoringError.input(byHand);
          throw MonitoringError.input(
            `${name} (${client}) is not instrumented in ${dataDir}; \`mcpscope instrumented\` lists what is`,
          );
        }
        if (records.length > 1) {
          const message = ambiguousMessage(`"${name}" (${client}) is instrumented in`, records.map(place));
          throw new ApiInputError("instrument.undo", message, { field: "file", message });
        }
        const record = records[0]!;
        // A refusal of the matched entry is an item naming its file, as each of --all is.
        items = await uninstrumentRecord(record, opts).then(
          (result) => [{ record, result }],
          (error: unknown) => {
            if (!(error instanceof MonitoringError)) throw error;
            return [{ record, error: error.message }];
          },
        );
      }
      if (items.some((i) => i.result)) await options.changed?.();
      return {
        entries: items.map(({ record, result, error }) => ({
          client: record.client,
          server: record.server,
          file: record.file,
          status: result?.status ?? "failed",
          backup: result?.backup ?? null,
          warning: result?.warning ?? null,
          error: error ?? null,
        })),
      };
    },
  };
}
