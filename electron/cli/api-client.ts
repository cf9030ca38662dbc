/**
 * How a CLI command asks a question: through the typed API client, served in this process by the same
 * handlers the engine registers (api/read-handlers.ts, store-handlers.ts, config-handlers.ts) over the
 * data dir's database, without the engine's watchers, timers and writers; each module is loaded when a
 * method it serves is first asked (api/method-groups.ts). So `mcpscope stats`, the app and `mcpscope serve` give the same
 * answer, and the API's schemas validate what the flags say.
 */
import { type ApiClient, ApiInputError, createApiClient } from "../../shared/api.js";
import type { CheckInput } from "../../shared/check.js";
import { type HandlerGroup, lazyTransport, type SomeHandlers } from "../monitor/api/in-process.js";
import { CONFIG_METHODS, READ_METHODS, STORE_METHODS } from "../monitor/api/method-groups.js";
import type { StoreHandlerOptions } from "../monitor/api/store-handlers.js";
import { databasePath, resolveDataDir } from "../monitor/paths.js";
import type { Db } from "../monitor/store/db.js";
import { flagString, type ParsedArgs, UsageError } from "./args.js";
import { openAtTerminal } from "./open-db.js";

/**
 * Opens the database of `--data-dir`, runs `ask` with a client of the store's API methods, and closes it.
 * Input a method's schema refuses is a usage error naming the flag (`--limit: …`).
 */
export async function withStoreApi<T>(
  args: ParsedArgs,
  ask: (api: ApiClient) => Promise<T>,
  options: Partial<StoreHandlerOptions> & {
    /** The flag that sets a field, where their names differ (`{ text: "grep" }`). */
    flagOf?: Record<string, string>;
    /** Fields whose problem already names the flag to use: said as it is. */
    asIs?: string[];
  } = {},
): Promise<T> {
  const dataDir = resolveDataDir(flagString(args, "data-dir"));
  // Opened by the first method that reads it: input the client refuses never opens (or creates) the
  // database, nor does a method that reads only files (instrument.records).
  const store = openWhenUsed(databasePath(dataDir));
  const transport = lazyTransport(storeApiGroups(store, dataDir, options));
  try {
    return await ask(createApiClient(transport));
  } catch (error) {
    if (error instanceof ApiInputError && error.issue) {
      const field = error.issue.field.split(".")[0] ?? "";
      if (options.asIs?.includes(field)) throw new UsageError(error.issue.message);
      throw new UsageError(`--${options.flagOf?.[field] ?? field}: ${error.issue.message}`);
    }
    throw error;
  } finally {
    store.close();
  }
}

/**
 * Each group of methods the terminal serves, with the module that serves it, imported when one of its
 * methods is first asked: `stats` loads the queries alone, not the logs, reports, discovery or config
 * editing (nor, through them, HTTP and the masking rules).
 */
function storeApiGroups(
  store: OpenedWhenUsed,
  dataDir: string,
  options: Partial<StoreHandlerOptions>,
): HandlerGroup[] {
  return [
    {
      methods: READ_METHODS,
      load: async () => {
        const { readHandlers } = await import("../monitor/api/read-handlers.js");
        return foldingFirst(readHandlers(store.db), store.db, dataDir);
      },
    },
    {
      methods: STORE_METHODS,
      load: async () => {
        const [{ storeHandlers }, { localActor }] = await Promise.all([
          import("../monitor/api/store-handlers.js"),
          import("../monitor/audit/admin.js"),
        ]);
        return foldingFirst(
          storeHandlers(store.db, { dataDir, actor: localActor(), ...options }),
          store.db,
          dataDir,
        );
      },
    },
    {
      methods: CONFIG_METHODS,
      load: async () => {
        const { configHandlers } = await import("../monitor/api/config-handlers.js");
        return openingFirst(configHandlers({ dataDir }), store);
      },
    },
    {
      // The terminal's own process: here alone a check may run the command (or reach the URL) it is given.
      methods: ["servers.check"],
      load: async () => {
        const [
          { checkHandlers },
          { defaultDiscoveryContext },
          { discoverServers },
          { processEnv },
          { stopGraceSetIn },
        ] = await Promise.all([
          import("../monitor/health/check-handlers.js"),
          import("../monitor/discovery/context.js"),
          import("../monitor/discovery/discover.js"),
          import("../monitor/shell-env.js"),
          import("../monitor/supervisor/stop-grace.js"),
        ]);
        return {
          "servers.check": (input: CheckInput) =>
            checkHandlers({
              adHoc: true,
              servers: async (home) =>
                (await discoverServers(await defaultDiscoveryContext({ home }), { dataDir })).servers,
              env: () => processEnv(),
              stopGraceMs: stopGraceSetIn(process.env, (line) =>
                process.stderr.write(`${line}; the checked server gets the default 1 s to stop\n`),
              ),
            })["servers.check"](input),
        };
      },
    },
  ];
}

/**
 * The methods that read rollups fold what wrappers stored first when no engine is running to do it, so
 * their answers never count a long raw backlog call by call (see metrics/fold-at-read.ts).
 */
async function foldingFirst(handlers: SomeHandlers, db: Db, dataDir: string): Promise<SomeHandlers> {
  const { foldBeforeRead, ROLLUP_READERS } = await import("../monitor/metrics/fold-at-read.js");
  const wrapped: SomeHandlers = { ...handlers };
  for (const method of ROLLUP_READERS) {
    const handler = handlers[method] as ((input: unknown) => unknown) | undefined;
    if (!handler) continue;
    (wrapped as Record<string, unknown>)[method] = (input: unknown) => {
      foldBeforeRead(db, dataDir, {
        folding: (calls) =>
          process.stderr.write(`folding ${calls.toLocaleString("en")} calls recorded while no engine ran…\n`),
        failed: (message) =>
          process.stderr.write(
            `could not fold the calls recorded while no engine ran (${message}); reading them raw\n`,
          ),
      });
      return handler(input);
    };
  }
  return wrapped;
}

/**
 * A config change records itself in the database (instrument/change-record.ts) through a connection of
 * its own, which would upgrade an older database unannounced, after the config was already edited. The
 * terminal's connection is opened first: an upgrade is said on stderr, and one refused under an older
 * running engine refuses the change before anything is edited. Any other failure to open leaves the
 * change to go on without its record, as it does anywhere.
 */
async function openingFirst(handlers: SomeHandlers, store: { open(): void }): Promise<SomeHandlers> {
  const { OlderEngineRunning } = await import("../monitor/store/before-upgrade.js");
  const wrapped: SomeHandlers = { ...handlers };
  for (const [method, handler] of Object.entries(handlers) as Array<[string, (input: unknown) => unknown]>) {
    (wrapped as Record<string, unknown>)[method] = (input: unknown) => {
      try {
        store.open();
      } catch (error) {
        if (error instanceof OlderEngineRunning) throw error;
        // any other: the change goes on; its record fails open as before
      }
      return handler(input);
    };
  }
  return wrapped;
}

interface OpenedWhenUsed {
  db: Db;
  open(): void;
  close(): void;
}

function openWhenUsed(path: string): OpenedWhenUsed {
  let opened: Db | null = null;
  const db = () => {
    opened ??= openAtTerminal(path);
    return opened;
  };
  return {
    db: {
      path,
      exec: (sql) => db().exec(sql),
      prepare: (sql) => db().prepare(sql),
      transaction: (fn) => db().transaction(fn),
      inTransaction: () => opened?.inTransaction() ?? false,
      backupTo: (destination) => db().backupTo(destination),
      defineFunction: (name, fn) => db().defineFunction(name, fn),
      close: () => opened?.close(),
    },
    open: () => void db(),
    close: () => opened?.close(),
  };
}
