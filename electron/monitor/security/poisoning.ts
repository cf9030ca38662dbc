/**
 * Tool-poisoning heuristics: text in a tool's description (or its input schema's property descriptions)
 * that speaks to the model rather than to the user. Each finding names its rule.
 */

export interface Finding {
  rule: string;
  message: string;
}

interface Rule {
  rule: string;
  message: string;
  test: (text: string) => boolean;
}

const INVISIBLE = /[\u{E0000}-\u{E007F}\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/u;

const RULES: Rule[] = [
  {
    rule: "hidden_instruction_marker",
    message: "an instruction marker aimed at the model (<IMPORTANT>, <SYSTEM>, …)",
    test: (t) => /<\s*\/?\s*(?:important|system|instructions?)\s*>/i.test(t),
  },
  {
    rule: "ignore_previous_instructions",
    message: 'text telling the model to "ignore previous instructions"',
    test: (t) =>
      /\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier)\s+instructions\b/i.test(
        t,
      ),
  },
  {
    rule: "conceal_from_user",
    message: "text telling the model to hide something from the user",
    test: (t) =>
      /\b(?:do\s+not|don['’]t|never)\s+(?:tell|inform|notify|show|reveal\s+(?:this\s+)?to)\s+the\s+user\b/i.test(
        t,
      ) || /\b(?:do\s+not|don['’]t|never)\s+mention\b/i.test(t),
  },
  {
    rule: "invisible_unicode",
    message: "invisible Unicode (tag characters, zero-width or bidi override characters)",
    test: (t) => INVISIBLE.test(t),
  },
  {
    rule: "credential_access",
    message: "an instruction to read or send credentials (~/.ssh, id_rsa, .env, API keys, passwords)",
    test: (t) =>
      /\b(?:read|send|include|pass|upload|cat|open|attach|provide|copy|extract|post|forward|contents\s+of)\b/i.test(
        t,
      ) &&
      /(?:~\/\.ssh|\bid_rsa\b|(?:^|[\s/"'`(])\.env\b|\bapi[ _-]?keys?\b|\bcredentials?\b|\bpasswords?\b)/i.test(
        t,
      ),
  },
  {
    rule: "cross_tool_instruction",
    message: "an instruction to call another tool first",
    test: (t) =>
      /\bbefore\s+(?:using|calling|invoking|running)\s+(?:this|the)\s+tool\b[^.]{0,80}?\b(?:call|use|invoke|run)\b/i.test(
        t,
      ) ||
      /\b(?:you\s+must|always)\s+(?:first\s+)?(?:call|invoke)\s+(?:the\s+)?[`'"]?\w+[`'"]?\s+tool\b/i.test(t),
  },
];

/** The descriptions a definition shows the model: its own and its input schema's property descriptions. */
export function descriptionTexts(definition: { description?: unknown; inputSchema?: unknown }): string[] {
  const texts: string[] = [];
  if (typeof definition.description === "string") texts.push(definition.description);
  collectSchemaDescriptions(definition.inputSchema, texts, 0);
  return texts;
}

function collectSchemaDescriptions(schema: unknown, out: string[], depth: number): void {
  if (depth > 16 || schema === null || typeof schema !== "object") return;
  if (Array.isArray(schema)) {
    for (const item of schema) collectSchemaDescriptions(item, out, depth + 1);
    return;
  }
  for (const [key, value] of Object.entries(schema)) {
    if ((key === "description" || key === "title") && typeof value === "string") out.push(value);
    else collectSchemaDescriptions(value, out, depth + 1);
  }
}

/** Findings on one text; each rule at most once. */
export function scanText(text: string): Finding[] {
  return RULES.filter((r) => r.test(text)).map(({ rule, message }) => ({ rule, message }));
}

/** Findings on a tool definition's description and schema descriptions; each rule at most once. */
export function scanDefinition(definition: { description?: unknown; inputSchema?: unknown }): Finding[] {
  const seen = new Map<string, Finding>();
  for (const text of descriptionTexts(definition)) {
    for (const finding of scanText(text)) if (!seen.has(finding.rule)) seen.set(finding.rule, finding);
  }
  return [...seen.values()];
}

export const POISONING_RULES = RULES.map((r) => r.rule);
