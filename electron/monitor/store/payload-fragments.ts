/**
 * A small payload's text without the JSON-RPC and MCP boilerplate every message repeats
 * (`{"jsonrpc":"2.0","id":`, `"method":"tools/call","params":{"name":"`, `"result":{"content":[…`):
 * each of these fragments is replaced by one control character. JSON text never holds a raw control
 * character (they are escaped in strings, and whitespace is only tab, CR and LF), so the substitution is
 * lossless; text that holds one anyway is left as it is. Both key orders are covered: the TypeScript SDK
 * writes `method`/`result` first and `jsonrpc`/`id` last, most other clients the other way round.
 */

const FRAGMENTS = [
  '{"jsonrpc":"2.0","id":',
  ',"jsonrpc":"2.0","id":',
  '{"jsonrpc":"2.0","method":"',
  '"method":"tools/call","params":{"name":"',
  '"method":"resources/read","params":{"uri":"',
  '"method":"prompts/get","params":{"name":"',
  '"method":"',
  '","arguments":{',
  '"result":{"content":[{"type":"text","text":"',
  '"result":{"content":[',
  '"result":{',
  '"error":{"code":',
  ',"message":"',
  '"}],"isError":true}',
  '"}]}',
  '"}}',
  '{"type":"text","text":"',
  '"structuredContent":{',
  '"isError":false',
  '"_meta":{"progressToken":',
  '"contents":[{"uri":"',
  '"mimeType":"',
  '"messages":[{"role":"',
  '"content":{"type":"text","text":"',
  '"protocolVersion":"',
  '"capabilities":{',
  '"description":"',
  '"inputSchema":{"type":"object","properties":{',
];

/** The control characters free in JSON text: everything below space but NUL, tab, LF and CR. */
const CODES = Array.from({ length: 31 }, (_, i) => i + 1)
  .filter((c) => c !== 9 && c !== 10 && c !== 13)
  .map((c) => String.fromCharCode(c));

const CODE_OF = new Map(FRAGMENTS.map((f, i) => [f, CODES[i] as string]));
const FRAGMENT_OF = new Map(FRAGMENTS.map((f, i) => [CODES[i] as string, f]));
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
// Longest first: where fragments share a start, the longer one is taken.
const FIND = new RegExp(
  [...FRAGMENTS]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join("|"),
  "g",
);
// biome-ignore lint/suspicious/noControlCharactersInRegex: these characters are the codes.
const ANY_CODE = /[\x01-\x08\x0b\x0c\x0e-\x1f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these characters are the codes.
const ANY_CODE_GLOBAL = /[\x01-\x08\x0b\x0c\x0e-\x1f]/g;

if (FRAGMENTS.length > CODES.length) throw new Error("more payload fragments than free codes");

/** The text with its fragments replaced, or null when that is not possible or saves nothing. */
export function packFragments(text: string): string | null {
  if (ANY_CODE.test(text)) return null;
  const packed = text.replace(FIND, (fragment) => CODE_OF.get(fragment) as string);
  return packed.length < text.length ? packed : null;
}

/** The original text of `packFragments`' output. */
export function unpackFragments(packed: string): string {
  return packed.replace(ANY_CODE_GLOBAL, (code) => FRAGMENT_OF.get(code) ?? code);
}
