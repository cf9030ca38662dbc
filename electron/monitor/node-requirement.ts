/**
 * The oldest Node mcpscope runs on: package.json's `engines.node` (`>=22.15`), injected at build time
 * (esbuild `define`) and read from package.json when the sources run as they are (tests). For what the
 * code on such a Node says: a tap in a program on an older Node, a payload it cannot read.
 */
import { readFileSync } from "node:fs";
import { isBuiltin } from "node:module";

declare const __MCPSCOPE_MIN_NODE__: string | undefined;

/** `>=22.15` → `22.15`; null for a range of another form. */
export function minimumOf(range: string): string | null {
  return /^>=\s*(\d+(?:\.\d+)*)$/.exec(range.trim())?.[1] ?? null;
}

function fromPackageJson(): string | null {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    return minimumOf(String(pkg.engines?.node ?? ""));
  } catch {
    return null;
  }
}

const MINIMUM = typeof __MCPSCOPE_MIN_NODE__ === "string" ? __MCPSCOPE_MIN_NODE__ : fromPackageJson();

/** `Node 22.15 or newer` (or, in a bundle built without it, `a newer Node`): what to run mcpscope on. */
export const NEEDED_NODE = MINIMUM ? `Node ${MINIMUM} or newer` : "a newer Node";

/** Why a program on this Node records nothing: node:sqlite, which the store is made of, is missing. */
export function recordingNeedsNode(): string {
  return `recording needs ${NEEDED_NODE} (for node:sqlite); this program runs on Node ${process.versions.node}`;
}

/**
 * Whether this Node has no node:sqlite (Node 20), asked of the module table without loading it: what
 * `require` answers `ERR_UNKNOWN_BUILTIN_MODULE` to.
 */
export function lacksSqlite(): boolean {
  return !isBuiltin("node:sqlite");
}
