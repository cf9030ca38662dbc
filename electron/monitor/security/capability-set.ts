/**
 * Which client a tool list was offered to, as tool pins tell clients apart: servers offer some tools only
 * to clients that declare a capability (sampling, elicitation, roots, or one of their parts, such as
 * `elicitation.url`), so a tool missing from a plain client's list is not gone for a capable one. The set
 * names each capability the client declared, with the parts it declared under it, one level deep.
 */
import { createHash } from "node:crypto";
import { isObject } from "../protocol/jsonrpc.js";

/** Longer sets (a client declaring many experimental features) are kept as a digest. */
const MAX_SET_CHARS = 500;

/**
 * The set's canonical text: `elicitation.form,elicitation.url,roots.listChanged,sampling`, `""` for a
 * client that declared none.
 */
export function capabilitySet(declared: Record<string, unknown>): string {
  const names: string[] = [];
  for (const [name, value] of Object.entries(declared)) {
    const parts = isObject(value) ? Object.keys(value) : [];
    if (parts.length === 0) names.push(name);
    else for (const part of parts) names.push(`${name}.${part}`);
  }
  const text = names.sort().join(",");
  if (text.length <= MAX_SET_CHARS) return text;
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/** How a message names the set: "clients declaring sampling, roots" or "clients declaring no capabilities". */
export function capabilitySetText(set: string): string {
  return set === "" ? "clients declaring no capabilities" : `clients declaring ${set.split(",").join(", ")}`;
}
