/** Tolerant readers for untyped config values: a wrong type reads as absent, never as a crash. */

export type Json = Record<string, unknown>;

export function asObject(value: unknown): Json | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
}

export function asString(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function scalarText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/** Strings, and numbers or booleans as text (`"args": ["--port", 3000]`); anything else is dropped. */
export function asStringArray(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(scalarText).filter((item): item is string => item !== null);
}

export function asStringRecord(value: unknown): Record<string, string> {
  const object = asObject(value);
  if (!object) return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(object)) {
    const text = scalarText(item);
    if (text !== null) out[key] = text;
  }
  return out;
}

/** `a.b["c d"][2]`, for messages about one entry. */
export function describePath(path: Array<string | number>): string {
  return path
    .map((part, i) => {
      if (typeof part === "number") return `[${part}]`;
      if (/^[A-Za-z_][\w-]*$/.test(part)) return i === 0 ? part : `.${part}`;
      return `[${JSON.stringify(part)}]`;
    })
    .join("");
}
