/**
 * Approving what tool pins hold pending: a changed definition becomes the pin, a removed tool's pin is
 * dropped; each approval is audited (the audit chain and an `audit` event) in the same transaction.
 */
import { recordAdminAction } from "../audit/audit-log.js";
import type { Db } from "../store/db.js";
import { insertEvent } from "./security-event.js";

/**
 * Accepts the pending changes of a server (or of one tool): a changed tool's pin takes the new
 * definition, a removed tool's pin is dropped. Records an `audit` event `tool.approved` for each.
 */
export function approvePins(
  db: Db,
  server: string,
  tool: string | undefined,
  time: number,
  actor = "user",
): { ok: boolean; message: string } {
  return db.transaction(() => {
    const rows = tool
      ? db.prepare("SELECT * FROM tool_pins WHERE server = ? AND tool = ?").all(server, tool)
      : db.prepare("SELECT * FROM tool_pins WHERE server = ?").all(server);
    if (rows.length === 0) {
      return {
        ok: false,
        message: tool
          ? `no pin for tool "${tool}" of server "${server}"; \`mcpscope tools --server ${server}\` lists them`
          : `no pins for server "${server}"; \`mcpscope tools\` lists the pinned servers`,
      };
    }
    const approved: string[] = [];
    for (const row of rows) {
      const name = String(row.tool);
      if (row.status === "changed" && row.pending_hash) {
        db.prepare(
          "UPDATE tool_pins SET hash = pending_hash, definition = pending_definition, findings = pending_findings, pinned_at = ?, status = 'pinned', pending_hash = NULL, pending_definition = NULL, pending_seen_at = NULL, pending_findings = NULL WHERE server = ? AND tool = ?",
        ).run(time, server, name);
      } else if (row.status === "removed") {
        db.prepare("DELETE FROM tool_pins WHERE server = ? AND tool = ?").run(server, name);
      } else continue;
      approved.push(name);
      // The tamper-evident audit log (audit/audit-log.ts), in this same transaction.
      recordAdminAction(db, {
        action: "pin_approve",
        actor,
        server,
        target: name,
        time,
        details: {
          change: row.status,
          previousHash: row.hash,
          hash: row.status === "removed" ? null : row.pending_hash,
        },
      });
      insertEvent(db, {
        time,
        category: "audit",
        type: "tool.approved",
        severity: "info",
        server,
        session_id: null,
        message: `${actor} approved the ${row.status === "removed" ? "removal" : "new definition"} of tool "${name}" of ${server}`,
        details: JSON.stringify({
          tool: name,
          change: row.status,
          previousHash: row.hash,
          hash: row.status === "removed" ? null : row.pending_hash,
          actor,
        }),
      });
    }
    if (approved.length === 0) {
      return { ok: true, message: `nothing pending for ${tool ? `tool "${tool}" of ` : ""}${server}` };
    }
    return {
      ok: true,
      message: `approved ${approved.length} change(s) of ${server}: ${approved.join(", ")}`,
    };
  });
}
