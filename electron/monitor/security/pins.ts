/**
 * Tool-definition pinning: the first `tools/list` of a server pins a digest of each tool's canonical
 * {name, description, inputSchema, outputSchema}; later lists are compared with the pins. A definition is
 * compared whoever listed it; additions and removals only with earlier complete listings to clients that
 * declared the same capabilities (capability-set.ts), as servers offer some tools to capable clients
 * only. The digest is keyed with the data dir's audit key (audit-key.ts), as call arguments are: the
 * stored definition is masked, and a bare SHA-256 of the unmasked one would let anyone holding an export
 * confirm a guess of what was masked. Pins made before keep their plain SHA-256 until the definition is
 * next seen, and pins are written with it while an older mcpscope still records a session begun before
 * the upgrade (it compares plain digests, and would take a keyed one for a changed definition). A change sets the pin's pending fields and raises one `tool.definition_changed` event with a
 * line diff; approval accepts it (pin-approval.ts). Runs inside one write transaction, so wrappers seeing
 * the same server at once agree.
 */
import { createHash } from "node:crypto";
import type { ToolPin } from "../../../shared/events.js";
import { hiddenChange } from "../../../shared/tool-pins.js";
import { type AuditKey, auditKeyOfDatabase, digestKeyId, keyedDigest } from "../audit/audit-key.js";
import { noteKeyUnavailable } from "../audit/key-unavailable.js";
import {
  canonicalJson,
  maskDefinition,
  SNAPSHOT_LIMIT,
  type ToolDefinition,
} from "../health/tool-snapshot.js";
import { capText } from "../pipeline/cap-text.js";
import type { Db, Row } from "../store/db.js";
import { olderWriterRecording } from "../store/older-writers.js";
import { capabilitySet, capabilitySetText } from "./capability-set.js";
import { lineDiff } from "./diff.js";
import { raisedRules, scanForPoisoning } from "./poisoning-events.js";
import { insertEvent, type SecurityEventRow } from "./security-event.js";

export { insertEvent, type SecurityEventRow };

import { scanDefinition } from "./poisoning.js";

/** The hashed fields of one tool, canonical. */
export function pickDefinition(tool: ToolDefinition): Record<string, unknown> {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
  };
}

/** The pin's digest: keyed (audit-key.ts). */
export function definitionHash(key: AuditKey, tool: ToolDefinition): string {
  return keyedDigest(key, canonicalJson(pickDefinition(tool)));
}

/** The plain SHA-256 pins were made with before they were keyed. */
function plainDefinitionHash(tool: ToolDefinition): string {
  return createHash("sha256")
    .update(canonicalJson(pickDefinition(tool)))
    .digest("hex");
}

/**
 * Whether a stored pin digest is this definition's: keyed under this key; a plain SHA-256 from before
 * keyed pins; or keyed under a key the data dir no longer holds, when the stored (masked) texts agree —
 * the most that can be told without that key.
 */
function samePin(
  stored: unknown,
  storedText: unknown,
  key: AuditKey,
  tool: ToolDefinition,
  hash: string,
  text: string,
): boolean {
  if (typeof stored !== "string") return false;
  if (stored === hash) return true;
  const keyId = digestKeyId(stored);
  if (keyId === null) return stored === plainDefinitionHash(tool);
  return keyId !== key.id && storedText === text;
}

/** The stored text: canonical JSON masked as a tool definition (maskDefinition), capped. */
export function storedDefinition(tool: ToolDefinition): string {
  return capText(canonicalJson(maskDefinition(pickDefinition(tool))), SNAPSHOT_LIMIT);
}

/** The line diff of two stored definitions, or the line saying why it is empty. */
function pinDiff(pinned: string, current: string): string {
  const hidden = hiddenChange(pinned, current);
  return hidden ? `--- pinned\n+++ current\n@@ ${hidden}` : lineDiff(pretty(pinned), pretty(current));
}

function pretty(stored: string): string {
  try {
    return JSON.stringify(JSON.parse(stored), null, 2);
  } catch {
    return stored;
  }
}

/** Reads tools from a `tools/list` result; null when it is not one. */
export function toolsFromResult(result: unknown): ToolDefinition[] | null {
  const tools = (result as { tools?: unknown } | null)?.tools;
  if (!Array.isArray(tools)) return null;
  return tools.filter(
    (t): t is ToolDefinition =>
      t !== null && typeof t === "object" && typeof (t as ToolDefinition).name === "string",
  );
}

export interface PinCheckInput {
  server: string;
  tools: ToolDefinition[];
  time: number;
  sessionId: string | null;
  /** False for the pages of a chain the client stopped walking: a tool missing from them is not removed. */
  complete: boolean;
  /**
   * The capability set of the client it was listed to (capability-set.ts); null when it is not known.
   * A removal is counted only against what a complete listing to the same set held.
   */
  capabilities: string | null;
}

/** The capability sets of the complete listings that held the pinned tool (null on pins made before). */
function listedFor(pin: Row): string[] {
  try {
    const sets = JSON.parse(String(pin.listed_for ?? "[]")) as unknown;
    return Array.isArray(sets) ? sets.filter((s): s is string => typeof s === "string") : [];
  } catch {
    return [];
  }
}

/** Compares a server's tool list with its pins and raises events. Call inside a write transaction. */
export function checkToolList(db: Db, input: PinCheckInput): void {
  const { server, tools, time, sessionId } = input;
  const pins = new Map<string, Row>();
  for (const row of db.prepare("SELECT * FROM tool_pins WHERE server = ?").all(server)) {
    pins.set(String(row.tool), row);
  }
  const { capabilities } = input;
  // A tool is new when a complete listing to the same set was seen before without it: a tool shown
  // only to clients with more capabilities is not new the first time such a client lists it.
  const known =
    capabilities !== null && [...pins.values()].some((pin) => listedFor(pin).includes(capabilities));
  let key: AuditKey;
  try {
    key = auditKeyOfDatabase(db.path);
  } catch (error) {
    noteKeyUnavailable(db, input, (error as Error).message);
    return;
  }
  const event = (type: string, severity: SecurityEventRow["severity"], message: string, details: unknown) =>
    insertEvent(db, {
      time,
      category: "security",
      type,
      severity,
      server,
      session_id: sessionId,
      message,
      details: JSON.stringify(details),
    });
  let olderWriter: boolean | undefined;
  /** The digest a pin is written with: keyed, or plain while an older writer records (see above). */
  const pinDigest = (tool: ToolDefinition, hash: string) => {
    olderWriter ??= olderWriterRecording(db);
    return olderWriter ? plainDefinitionHash(tool) : hash;
  };
  const seen = new Set<string>();
  for (const tool of tools) {
    if (seen.has(tool.name)) continue;
    seen.add(tool.name);
    const hash = definitionHash(key, tool);
    const stored = storedDefinition(tool);
    // Scanned as sent: the stored text is masked, and a masked description hides what it said.
    const findings = JSON.stringify(scanDefinition(tool));
    const pin = pins.get(tool.name);
    /** The findings kept with this very definition, when it was seen before: its events were raised then. */
    let scanned: unknown = null;
    if (!pin) {
      db.prepare(
        "INSERT INTO tool_pins (server, tool, hash, definition, pinned_at, status, findings) VALUES (?, ?, ?, ?, ?, 'pinned', ?)",
      ).run(server, tool.name, pinDigest(tool, hash), stored, time, findings);
      if (known) {
        event("tool.added", "low", `${server}: a new tool "${tool.name}" appeared`, {
          tool: tool.name,
          hash,
          definition: pretty(stored),
        });
      }
    } else if (samePin(pin.hash, pin.definition, key, tool, hash, stored)) {
      scanned = pin.findings;
      const digest = pin.hash === hash ? hash : pinDigest(tool, hash);
      if (pin.hash !== digest)
        db.prepare("UPDATE tool_pins SET hash = ? WHERE server = ? AND tool = ?").run(
          digest,
          server,
          tool.name,
        );
      if (pin.status !== "pinned") {
        // Back to what was pinned: nothing is pending any more.
        db.prepare(
          "UPDATE tool_pins SET status = 'pinned', pending_hash = NULL, pending_definition = NULL, pending_seen_at = NULL, pending_findings = NULL WHERE server = ? AND tool = ?",
        ).run(server, tool.name);
      }
      // Pinned by an older mcpscope, which kept no findings: this is the definition it pinned.
      if (pin.findings === null)
        db.prepare("UPDATE tool_pins SET findings = ? WHERE server = ? AND tool = ?").run(
          findings,
          server,
          tool.name,
        );
    } else if (samePin(pin.pending_hash, pin.pending_definition, key, tool, hash, stored)) {
      scanned = pin.pending_findings;
      const digest = pin.pending_hash === hash ? hash : pinDigest(tool, hash);
      if (pin.pending_hash !== digest)
        db.prepare("UPDATE tool_pins SET pending_hash = ? WHERE server = ? AND tool = ?").run(
          digest,
          server,
          tool.name,
        );
      if (pin.pending_findings === null)
        db.prepare("UPDATE tool_pins SET pending_findings = ? WHERE server = ? AND tool = ?").run(
          findings,
          server,
          tool.name,
        );
    } else {
      const hidden = hiddenChange(String(pin.definition), stored);
      const digest = pinDigest(tool, hash);
      db.prepare(
        "UPDATE tool_pins SET status = 'changed', pending_hash = ?, pending_definition = ?, pending_seen_at = ?, pending_findings = ? WHERE server = ? AND tool = ?",
      ).run(digest, stored, time, findings, server, tool.name);
      event(
        "tool.definition_changed",
        "high",
        `${server}: the definition of tool "${tool.name}" changed since it was pinned${hidden ? ` (${hidden})` : ""}; review and approve with \`mcpscope tools approve --server ${server} --tool ${tool.name}\``,
        {
          tool: tool.name,
          pinnedHash: pin.hash,
          newHash: digest,
          diff: pinDiff(String(pin.definition), stored),
          hiddenChange: hidden,
        },
      );
    }
    scanForPoisoning(db, server, tool, hash, time, sessionId, raisedRules(scanned), () =>
      plainDefinitionHash(tool),
    );
  }
  if (!input.complete || capabilities === null) return;
  const setListed = (name: string, sets: string[]) =>
    db
      .prepare("UPDATE tool_pins SET listed_for = ? WHERE server = ? AND tool = ?")
      .run(JSON.stringify(sets), server, name);
  for (const name of seen) {
    const sets = pins.has(name) ? listedFor(pins.get(name) as Row) : [];
    if (!sets.includes(capabilities)) setListed(name, [...sets, capabilities].sort());
  }
  for (const [name, pin] of pins) {
    const sets = listedFor(pin);
    if (seen.has(name) || !sets.includes(capabilities)) continue;
    // Gone from what clients of this set are offered: counted once, not again by the next such listing.
    setListed(
      name,
      sets.filter((set) => set !== capabilities),
    );
    if (pin.status === "removed") continue;
    db.prepare(
      "UPDATE tool_pins SET status = 'removed', pending_hash = NULL, pending_definition = NULL, pending_seen_at = ?, pending_findings = NULL WHERE server = ? AND tool = ?",
    ).run(time, server, name);
    event(
      "tool.removed",
      "medium",
      `${server}: tool "${name}" is no longer listed to ${capabilitySetText(capabilities)}`,
      {
        tool: name,
        pinnedHash: pin.hash,
        capabilities,
      },
    );
  }
}

function iso(ms: unknown): string {
  return new Date(Number(ms)).toISOString();
}

export function listPins(db: Db, server?: string): ToolPin[] {
  const rows = server
    ? db.prepare("SELECT * FROM tool_pins WHERE server = ? ORDER BY server, tool").all(server)
    : db.prepare("SELECT * FROM tool_pins ORDER BY server, tool").all();
  return rows.map((row) => {
    const definition = String(row.definition);
    const pending = Boolean(row.pending_definition);
    let findings: ToolPin["findings"] = [];
    try {
      const scanned = pending ? row.pending_findings : row.findings;
      // A row pinned before findings were kept: its stored text is all there is to scan.
      findings =
        typeof scanned === "string"
          ? (JSON.parse(scanned) as ToolPin["findings"])
          : scanDefinition(
              JSON.parse(pending ? String(row.pending_definition) : definition) as ToolDefinition,
            );
    } catch {}
    return {
      server: String(row.server),
      tool: String(row.tool),
      pinnedAt: iso(row.pinned_at),
      hash: String(row.hash),
      definition,
      status: row.status as ToolPin["status"],
      pending:
        row.pending_hash && row.pending_definition
          ? {
              seenAt: iso(row.pending_seen_at),
              hash: String(row.pending_hash),
              definition: String(row.pending_definition),
              hiddenChange: hiddenChange(definition, String(row.pending_definition)),
            }
          : null,
      findings,
    };
  });
}

/** The health prober's hook: `json` is a tool snapshot's canonical JSON (every page of tools/list). */
export function checkProbedTools(db: Db, server: string, json: string, time: number): void {
  let tools: ToolDefinition[] | null;
  try {
    tools = toolsFromResult({ tools: JSON.parse(json) });
  } catch {
    return;
  }
  // The probe's client declares no capabilities (supervisor/handshake.ts).
  if (tools)
    checkToolList(db, {
      server,
      tools,
      time,
      sessionId: null,
      complete: true,
      capabilities: capabilitySet({}),
    });
}
