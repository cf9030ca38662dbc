/**
 * A tool definition is stored masked, so a change that lies wholly inside a masked value (a `Bearer`
 * blob, a `password=` value) leaves the pinned and the new text identical although their hashes differ.
 * Every view of a pin (the event's diff, `mcpscope tools`, the Tools view) says so in these words, rather
 * than show an empty diff for the user to approve.
 */

/** The masked values in a stored text, as they read there (`bearer…b29s`), each once. */
export function maskedValues(text: string): string[] {
  return [...new Set([...text.matchAll(/\[masked:([^\]\s]+)\]/g)].map((m) => m[1] as string))];
}

/** One line when two stored definitions read the same though they differ; null when a diff shows it. */
export function hiddenChange(pinned: string, pending: string): string | null {
  if (pinned !== pending) return null;
  const values = maskedValues(pending);
  if (values.length === 0)
    return "the change is past the part of the definition mcpscope keeps, so it cannot be shown";
  const where =
    values.length === 1
      ? `inside a masked value (${values[0]})`
      : `inside one of the masked values (${values.join(", ")})`;
  return `the change is ${where}: mcpscope never stores or shows it unmasked, so the new text cannot be shown — approve only if you trust where the new definition comes from`;
}
