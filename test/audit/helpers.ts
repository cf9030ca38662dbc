/** Helpers for the audit tests: read the audit records, run `mcpscope` allowing a non-zero exit, parse CSV. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { iterateAudit } from "../../electron/monitor/audit/audit-log.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { cliInProcess } from "../helpers/cli-in-process.js";

export function dbFile(dataDir: string): string {
  return join(dataDir, "mcpscope.db");
}

export type AuditRow = Record<string, string | number | null>;

/** Every record in chain order, as export shows it (both stored forms). */
export function readAudit(dataDir: string): AuditRow[] {
  if (!existsSync(dbFile(dataDir))) return [];
  const db = openDb(dbFile(dataDir), { readOnly: true });
  try {
    return [...iterateAudit(db)].map((record) => ({ ...record }));
  } catch (error) {
    if (/no such table/.test((error as Error).message)) return [];
    throw error;
  } finally {
    db.close();
  }
}

/** Runs SQL against the database file directly, as someone tampering with it would. */
export function tamper(dataDir: string, sql: string, ...params: (string | number)[]): void {
  const db = new DatabaseSync(dbFile(dataDir));
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in process: these tests are about what it reads and prints, not about its process. */
export async function mcpscopeRun(args: string[]): Promise<Run> {
  const { status, stdout, stderr } = await cliInProcess(args);
  return { code: status, stdout, stderr };
}

/** A strict RFC 4180 parser (quoted fields, doubled quotes, CRLF records) for checking the export. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
      i++;
    } else if (ch === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else {
      if (ch === '"' || ch === "\n" || ch === "\r") throw new Error(`unquoted ${JSON.stringify(ch)} at ${i}`);
      field += ch;
      i++;
    }
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
