/**
 * Where a client keeps an entry's command, arguments and environment inside the entry object. Most JSON
 * clients use `command` + `args` + `env`; Goose uses `cmd` + `args` + `envs`; older Zed configs nest them
 * as `command: {path, args, env}`.
 */
import type { ClientId } from "../../../shared/discovery.js";

export type KeyPath = Array<string | number>;

export interface EntryShape {
  command: string[];
  args: string[];
  env: string[];
}

export const DEFAULT_SHAPE: EntryShape = { command: ["command"], args: ["args"], env: ["env"] };
export const GOOSE_SHAPE: EntryShape = { command: ["cmd"], args: ["args"], env: ["envs"] };
export const ZED_NESTED_SHAPE: EntryShape = {
  command: ["command", "path"],
  args: ["command", "args"],
  env: ["command", "env"],
};

/** The command line and environment an entry launches. */
export interface EntryFields {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export function shapeFor(client: ClientId | "manual", entry: unknown): EntryShape {
  if (client === "goose") return GOOSE_SHAPE;
  if (client === "zed" && isRecord(entry) && isRecord(entry.command)) return ZED_NESTED_SHAPE;
  return DEFAULT_SHAPE;
}

/** The entry's command line, or null when it has no string command (a remote entry, or malformed). */
export function readFields(entry: unknown, shape: EntryShape): EntryFields | null {
  const command = getAt(entry, shape.command);
  if (typeof command !== "string") return null;
  const args = getAt(entry, shape.args);
  const env = getAt(entry, shape.env);
  return {
    command,
    args: Array.isArray(args) ? args.map(String) : [],
    env: isRecord(env) ? Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) : {},
  };
}

export function getAt(value: unknown, path: KeyPath): unknown {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === "number") current = current[key];
    else if (isRecord(current) && typeof key === "string" && Object.hasOwn(current, key))
      current = current[key];
    else return undefined;
  }
  return current;
}

/** Sets `path` inside a plain object tree, creating objects on the way. */
export function setAt(root: unknown, path: KeyPath, value: unknown): void {
  let current = root as Record<string | number, unknown>;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      current[key] = value;
      return;
    }
    if (typeof current[key] !== "object" || current[key] === null) current[key] = {};
    current = current[key] as Record<string | number, unknown>;
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
