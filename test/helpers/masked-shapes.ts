import { inspect } from "node:util";
import { expect } from "vitest";
import { capturePayload } from "../../electron/monitor/pipeline/capture.js";
import { maskString, maskValue } from "../../electron/monitor/pipeline/mask.js";

/**
 * Every way a payload's data reaches the store: as structured JSON (a tool's arguments), as JSON text in a
 * tool result (compact, so escaped once more in the stored message), pretty-printed or `util.inspect`ed on
 * stderr. A secret must be masked in all of them alike, and what is no secret kept in all of them.
 */
export function stored(value: unknown): Record<string, string> {
  const result = {
    jsonrpc: "2.0",
    id: 1,
    result: { content: [{ type: "text", text: JSON.stringify(value) }] },
  };
  return {
    structured: JSON.stringify(maskValue(value)),
    "tool result": capturePayload(result) ?? "",
    "pretty stderr": maskString(JSON.stringify(value, null, 2)),
    "inspect stderr": maskString(inspect(value, { depth: 8 })),
  };
}

export function expectMasked(value: unknown, secrets: string[], kept: string[] = []): void {
  for (const [shape, text] of Object.entries(stored(value))) {
    for (const secret of secrets) expect(text, `${shape}: ${secret}`).not.toContain(secret);
    for (const plain of kept) expect(text, `${shape}: ${plain}`).toContain(plain);
  }
}
