/**
 * A snapshot of a server's tool definitions: the fields that change what a model sees (name,
 * description, input and output schema), in canonical JSON (keys sorted, tools by name), the text kept of
 * it (masked), and the sha256 of that text. A new snapshot is kept only when the hash changes. The hash is
 * of the masked text, never of what was masked: kept beside it, a hash of the unmasked JSON would confirm
 * a guess of a masked value (a change inside one is the pins' to tell: security/pins.ts).
 */
import { createHash } from "node:crypto";
import { capText } from "../pipeline/cap-text.js";
import { maskToolSchema, maskValue } from "../pipeline/mask.js";

export interface ToolDefinition {
  name: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
}

export interface ToolSnapshot {
  /** SHA-256 of `stored`. */
  hash: string;
  count: number;
  /** Canonical JSON of the fields, unmasked: for the pins, never stored. */
  json: string;
  /** What is stored: each tool masked (maskDefinition), capped. */
  stored: string;
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
  // Masked from the canonical text, so the stored text is canonical too.
  const canonical = JSON.parse(json) as unknown[];
  const stored = capText(JSON.stringify(canonical.map(maskDefinition)), SNAPSHOT_LIMIT);
  return { hash: createHash("sha256").update(stored).digest("hex"), count: tools.length, json, stored };
}

/**
 * A tool definition as it is stored and shown: its name and description masked as any text is, its
 * schemas as schemas (a `default` under a parameter named `token` masked, what describes it readable).
 */
export function maskDefinition(definition: unknown): unknown {
  if (definition === null || typeof definition !== "object" || Array.isArray(definition))
    return maskValue(definition);
  const out: Record<string, unknown> = {};
  // One walk over the whole definition: what one field holds (an AWS key id) bears on the next.
  const found = new Set<string>();
  for (const [key, value] of Object.entries(definition))
    out[key] =
      key === "inputSchema" || key === "outputSchema"
        ? maskToolSchema(value, found)
        : maskValue(value, found);
  return out;
}
