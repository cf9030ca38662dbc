// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${…} variables clients substitute
/**
 * The variables a client substitutes in an entry when it launches or connects to it, substituted the same
 * way when mcpscope launches, connects to or probes the entry itself, from where the entry's file is. VS Code
 * (code.visualstudio.com/docs/reference/variables-reference, which its MCP configuration reference points
 * to): `${workspaceFolder}`, `${workspaceFolderBasename}`, `${userHome}`, `${env:NAME}`, `${pathSeparator}`
 * and `${/}`. A Gemini CLI extension: `${extensionPath}` and `${/}`. A variable only the client can fill
 * in (`${input:…}`, which VS Code asks the user for) is named in a one-line error instead of reaching the
 * command line as text.
 */
import { homedir } from "node:os";
import { posix, win32 } from "node:path";
import type { ServerDefinition } from "../../../shared/discovery.js";
import { MonitoringError } from "../errors.js";
import { EXTENSION_MANIFEST } from "./clients/gemini.js";
import { clientDisplayName } from "./clients/index.js";

export interface LaunchValues {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
}

type Entry = Pick<ServerDefinition, "name" | "client" | "scope" | "file">;

const VARIABLE = /\$\{([^}]*)\}/g;

function pathOf(file: string): typeof posix {
  return file.includes("\\") && !file.includes("/") ? win32 : posix;
}

function fileDir(file: string): string {
  return pathOf(file).dirname(file);
}

function fileName(file: string): string {
  return pathOf(file).basename(file);
}

/** What each variable of the entry's client resolves to; a string result is why it cannot be. */
function resolver(entry: Entry, env: Record<string, string | undefined>): (name: string) => string | null {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  const sep = entry.file ? pathOf(entry.file).sep : "/";
  const client = clientDisplayName(entry.client);
  const cannot = (variable: string, why: string): never => {
    throw MonitoringError.input(
      `${entry.name} (${entry.client}) uses \${${variable}}, which ${why}; mcpscope cannot resolve it — launch it from ${client}, or write the value into the entry`,
    );
  };
  if (entry.client === "vscode") {
    // A workspace's `.vscode/mcp.json` or `settings.json`: its folder is the one above `.vscode`.
    const workspace = entry.scope === "workspace" && entry.file ? fileDir(fileDir(entry.file)) : null;
    return (name) => {
      if (name === "userHome") return home;
      if (name === "pathSeparator" || name === "/") return sep;
      if (name.startsWith("env:")) return env[name.slice(4)] ?? "";
      if (name === "workspaceFolder" || name === "workspaceFolderBasename") {
        if (!workspace)
          return cannot(name, "VS Code fills in with the folder open in it (unknown for a user config)");
        return name === "workspaceFolder" ? workspace : fileName(workspace);
      }
      if (name.startsWith("input:")) return cannot(name, "VS Code asks you for when it starts the server");
      if (name.startsWith("command:") || name.startsWith("config:"))
        return cannot(name, "only VS Code can compute");
      return null;
    };
  }
  if (entry.client === "gemini" && entry.file && fileName(entry.file) === EXTENSION_MANIFEST) {
    const extension = fileDir(entry.file);
    return (name) => {
      if (name === "extensionPath") return extension;
      if (name === "pathSeparator" || name === "/") return sep;
      return null;
    };
  }
  return () => null;
}

function substitute(entry: Entry, env: Record<string, string | undefined>): (text: string) => string {
  const resolve = resolver(entry, env);
  return (text) => text.replace(VARIABLE, (whole, name: string) => resolve(name) ?? whole);
}

function values(record: Record<string, string>, sub: (text: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, sub(value)]));
}

/**
 * The command, args, env values and working directory with the client's variables substituted; unknown
 * `${…}` text is kept as written. Throws a one-line input error for a variable only the client can fill in.
 */
export function resolveLaunchVariables(
  entry: Entry,
  launch: LaunchValues,
  env: Record<string, string | undefined>,
): LaunchValues {
  const sub = substitute(entry, env);
  return {
    command: sub(launch.command),
    args: launch.args.map(sub),
    env: values(launch.env, sub),
    cwd: launch.cwd === null ? null : sub(launch.cwd),
  };
}

/** A remote entry's URL and headers with the client's variables substituted, the same way. */
export function resolveRemoteVariables(
  entry: Entry,
  remote: { url: string; headers: Record<string, string> },
  env: Record<string, string | undefined>,
): { url: string; headers: Record<string, string> } {
  const sub = substitute(entry, env);
  return { url: sub(remote.url), headers: values(remote.headers, sub) };
}
