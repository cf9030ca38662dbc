/**
 * A snapshot of a server's tool definitions: the fields that change what a model sees (name,
 * description, input and output schema), in canonical JSON (keys sorted, tools by name), and its sha256.
 * A new snapshot is kept only when the hash changes.
 */
import { createHash } from "node:crypto";
import { capText } from "../pipeline/capture.js";
import { maskValue } from "../pipeline/mask.js";

export interface ToolDefinition {
  name: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
}

export interface ToolSnapshot {
  hash: string;
  count: number;
  /** Canonical JSON of the hashed fields. */
  json: string;
}

export const SNAPSHOT_LIMIT = 1024 * 1024;

/** JSON with object keys sorted at every depth, so equal values have equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) out[key] = sortKeys(item);
  }
  return out;
}

export function snapshotTools(tools: ToolDefinition[]): ToolSnapshot {
  const picked = tools
    .map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema,
      outputSchema: t.outputSchema,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const json = canonicalJson(picked);
  return { hash: createHash("sha256").update(json).digest("hex"), count: tools.length, json };
}

/**
 * The text stored for a snapshot: masked as payloads are, capped. A parameter named `token` keeps its
 * schema (masking tells a schema from a secret); a `default` under it is masked.
 */
export function storedSnapshotText(snapshot: ToolSnapshot): string {
  const masked = JSON.stringify(maskValue(JSON.parse(snapshot.json)));
  return capText(masked, SNAPSHOT_LIMIT);
}
