/** What changed between two discovery results: servers added, removed, or with a changed definition. */
import type { ServerDefinition } from "../../../shared/discovery.js";
import type { DiscoveredServer } from "../discovery/types.js";

export interface DiscoveryChange {
  kind: "added" | "removed" | "changed";
  server: ServerDefinition;
}

/** Compares by id; a definition counts as changed when anything a user configures differs (masked values). */
export function discoveryChanges(before: DiscoveredServer[], after: DiscoveredServer[]): DiscoveryChange[] {
  const old = new Map(before.map((s) => [s.definition.id, s.definition]));
  const now = new Map(after.map((s) => [s.definition.id, s.definition]));
  const changes: DiscoveryChange[] = [];
  for (const [id, server] of now) {
    const previous = old.get(id);
    if (!previous) changes.push({ kind: "added", server });
    else if (fingerprint(previous) !== fingerprint(server)) changes.push({ kind: "changed", server });
  }
  for (const [id, server] of old) if (!now.has(id)) changes.push({ kind: "removed", server });
  return changes;
}

function fingerprint(d: ServerDefinition): string {
  return JSON.stringify([d.transport, d.command, d.args, d.env, d.cwd, d.url, d.headers, d.instrumented]);
}
