/**
 * `tool.poisoning_suspected` events: the heuristics of poisoning.ts run on each listed definition, one
 * event per server, tool, rule and definition.
 */
import type { ToolDefinition } from "../health/tool-snapshot.js";
import type { Db } from "../store/db.js";
import { scanDefinition } from "./poisoning.js";
import { insertEvent } from "./security-event.js";

/**
 * The rules of the findings a pin kept with a definition (JSON), each raised as an event when that
 * definition was first seen; none for a pin an older mcpscope made without findings.
 */
export function raisedRules(findings: unknown): ReadonlySet<string> {
  if (typeof findings !== "string") return new Set();
  try {
    const parsed = JSON.parse(findings) as { rule?: unknown }[];
    return new Set(parsed.map((f) => String(f.rule)));
  } catch {
    return new Set();
  }
}

/**
 * One `tool.poisoning_suspected` event per (server, tool, rule, definition): not again for a rule the
 * definition's pin already holds (`raised`) — the digest of an unchanged definition changes with the audit
 * key, the pin's finding does not — nor when an event under this digest or the plain SHA-256 exists.
 */
export function scanForPoisoning(
  db: Db,
  server: string,
  tool: ToolDefinition,
  hash: string,
  time: number,
  sessionId: string | null,
  raised: ReadonlySet<string>,
  plainHash: () => string,
): void {
  const findings = scanDefinition(tool);
  if (findings.length === 0) return;
  const exists = db.prepare(
    "SELECT 1 AS x FROM events WHERE type = 'tool.poisoning_suspected' AND server = ? AND json_extract(details, '$.key') = ? LIMIT 1",
  );
  let plain: string | null = null;
  for (const finding of findings) {
    if (raised.has(finding.rule)) continue;
    const key = `${tool.name}\u0000${finding.rule}\u0000${hash}`;
    if (exists.get(server, key)) continue;
    // Raised before pins were keyed, under the plain SHA-256.
    plain ??= plainHash();
    if (exists.get(server, `${tool.name}\u0000${finding.rule}\u0000${plain}`)) continue;
    insertEvent(db, {
      time,
      category: "security",
      type: "tool.poisoning_suspected",
      severity: "high",
      server,
      session_id: sessionId,
      message: `${server}: tool "${tool.name}" looks poisoned (${finding.rule}): ${finding.message}`,
      details: JSON.stringify({ key, tool: tool.name, rule: finding.rule, message: finding.message, hash }),
    });
  }
}
