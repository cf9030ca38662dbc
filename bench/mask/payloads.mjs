// The payloads bench/mask times and bench/mask/diff.mjs compares: shaped like MCP traffic, built from a
// fixed seed so every run masks the same text.
import { mulberry32 } from "../lib.mjs";

const rand = mulberry32(9);
const WORDS =
  "the server returned a list of files and their sizes while the client waited for progress notifications about the request with timeout retry cache index query result".split(
    " ",
  );
export const prose = (chars) => {
  let out = "";
  while (out.length < chars) out += `${WORDS[Math.floor(rand() * WORDS.length)]} `;
  return out.slice(0, chars);
};
export const code = (chars) => {
  let out = "";
  for (let i = 0; out.length < chars; i++)
    out += `function handler${i}(req, res) {\n  const key = cache.get(req.id);\n  return res.json({ ok: true, n: ${i} });\n}\n`;
  return out.slice(0, chars);
};
export const toolResult = (text) => ({
  jsonrpc: "2.0",
  id: 7,
  result: { content: [{ type: "text", text }], isError: false },
});

/** A tools/list of `n` tools, each with parameters named like secrets, as an SDK server sends it. */
const secretParamTools = (n) => ({
  jsonrpc: "2.0",
  id: 2,
  result: {
    tools: Array.from({ length: n }, (_, i) => ({
      name: `tool_${i}`,
      description: prose(120),
      inputSchema: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        properties: {
          query: { type: "string", description: prose(60) },
          token: { type: "string", description: "A GitHub personal access token" },
          password: { type: "string", minLength: 8 },
          auth: {
            type: "object",
            properties: { user: { type: "string" }, api_key: { type: ["string", "null"] } },
            required: ["user"],
          },
        },
        required: ["query"],
        additionalProperties: false,
      },
    })),
  },
});

export const PAYLOADS = {
  "tool result, 4 KiB prose": toolResult(prose(4096)),
  "tool result, 64 KiB code": toolResult(code(65536)),
  "file listing, 16 KiB": toolResult(
    Array.from({ length: 300 }, (_, i) => `[FILE] src/module-${i}/index-${i}.ts (${1000 + i} bytes)`).join(
      "\n",
    ),
  ),
  "result with 3 credentials, 4 KiB": toolResult(
    `${prose(1300)} GITHUB_TOKEN=ghp_${"aB3d".repeat(9)} ${prose(1300)} postgres://app:Sup3rS3cret@db/x ${prose(1300)} {"api_key": "k-9f8e7d6c5b4a"}`,
  ),
  "log line, 200 B": { level: "info", message: prose(200) },
  "log line, AWS key pair in prose": {
    level: "info",
    message: `${prose(80)} AKIA${"Q3ZX7W2M".repeat(2)} secret wJalrXUtnFEMI/K7MDENG/${"bPxRfiCYz".repeat(2)} ${prose(60)}`,
  },
  "tools/list, 20 secret-named params": secretParamTools(20),
  "tool result, 1 MiB (64 KiB kept)": toolResult(prose(1024 * 1024)),
};
