/** The engine's view of a discovered server: the public definition plus what it needs to launch and edit it. */
import type { ClientId, ServerDefinition } from "../../../shared/discovery.js";

export type ConfigFormat = "jsonc" | "toml" | "yaml";

/** Where an entry lives in its file, for reading back and for instrumenting. */
export interface EntryLocation {
  file: string;
  format: ConfigFormat;
  /** Path of keys (and list indexes) from the document root to the entry's object. */
  path: Array<string | number>;
  /** The file's text as discovery read it (`textDigest`), to tell when a client rewrote it since. */
  digest?: string;
}

export interface DiscoveredServer {
  definition: ServerDefinition;
  /**
   * Unmasked values: only ever used to launch or connect to the server, never stored or shown (the
   * definition carries the masked command, args and URL for display).
   */
  rawCommand: string | null;
  rawArgs: string[];
  rawUrl: string | null;
  rawEnv: Record<string, string>;
  rawHeaders: Record<string, string>;
  /** null for servers added by hand. */
  location: EntryLocation | null;
  /**
   * For an entry launched through `mcpscope run`: the command it wraps, whether the wrapping was written
   * by hand (no `mcpscope instrument` record can undo it), and the client its `--client` marker names
   * (stored with each session it launches; absent when written by hand).
   */
  wrapped: {
    command: string;
    args: string[];
    byHand: boolean;
    client?: string | null;
    /** The entry id its `--entry` marker names (stored with each session it launches); null without one. */
    entry?: string | null;
    /** The data dir the wrapper names (`--data-dir`, `MCPSCOPE_HOME` in its env); null when it names none. */
    recordsInto: string | null;
    /** Set by discovery with a data dir: the wrapper records into another one, so nothing here is its. */
    recordsElsewhere?: boolean;
  } | null;
}

/** One client's reader: finds its config files and turns their entries into servers. */
export interface ClientReader {
  id: ClientId;
  /** Human name, for messages ("Claude Desktop"). */
  displayName: string;
  /** Candidate config files for this platform and home (existing or not). */
  configFiles(ctx: DiscoveryContext): Array<{ file: string; scope: ServerDefinition["scope"] }>;
  /**
   * Folders in which every file ending in one of `extensions` is a config file (Continue's
   * `.continue/mcpServers/`). Optional: most clients have fixed file names.
   */
  configDirs?(
    ctx: DiscoveryContext,
  ): Array<{ dir: string; scope: ServerDefinition["scope"]; extensions: string[] }>;
  /**
   * Folders whose subfolders hold config files named `names` (VS Code's `User/profiles/<id>/mcp.json`,
   * Gemini's `extensions/<ext>/gemini-extension.json`): watched, so a profile or extension added later is
   * read, and named in "looked at" messages. Optional.
   */
  containerDirs?(ctx: DiscoveryContext): Array<{ dir: string; names: string[] }>;
  /**
   * Parses one file's text; throws an Error with a one-line message if it is malformed. `warn`, when
   * given, receives one-line problems with single entries, which are skipped.
   */
  parse(
    text: string,
    file: string,
    scope: ServerDefinition["scope"],
    ctx: DiscoveryContext,
    warn?: (message: string) => void,
  ): DiscoveredServer[];
}

export interface DiscoveryContext {
  home: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Project folders whose project-scoped configs are read (.mcp.json, .cursor/mcp.json, .vscode/mcp.json…). */
  projectDirs: string[];
}
