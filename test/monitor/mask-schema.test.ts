/**
 * A parameter named like a secret is described by a JSON Schema fragment (`"password": {"type":
 * "string"}`): masking leaves the schema as the server sent it and finds no secret, while the values a
 * schema can hold under that name (`default`, `const`, `enum`, `examples`) are still masked, and an
 * object that is not clearly a schema is still masked whole.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { beforeAll, describe, expect, it } from "vitest";
import { capturePayload, captureText } from "../../electron/monitor/pipeline/capture.js";
import { maskString, maskValue } from "../../electron/monitor/pipeline/mask.js";
import {
  DEFAULT_KEY,
  DEFAULT_PASSPHRASE,
  registerKeyDefaultTool,
  registerSecretParamTools,
} from "../fixtures/secret-param-tools.mjs";
import { sdkResponseLines } from "../helpers/sdk-lines.js";

const masked = (value: unknown) => {
  const found = new Set<string>();
  return { value: JSON.parse(JSON.stringify(maskValue(value, found))) as unknown, found: [...found].sort() };
};
const HIDDEN = "[masked:named-secret]";

/** The `tools/list` response line a real SDK server sends for `register`'s tools. */
async function toolsList(...register: ((server: McpServer) => void)[]): Promise<string> {
  const server = new McpServer({ name: "secret-params", version: "1.0.0" });
  for (const add of register) add(server);
  const lines = await sdkResponseLines(server, async (client) => {
    await client.listTools();
  });
  return lines.find((line) => Array.isArray(JSON.parse(line).result?.tools)) ?? "";
}

describe("masking the schema of a secret-named parameter", () => {
  let schemasOnly: string;
  let withDefault: string;
  beforeAll(async () => {
    schemasOnly = await toolsList(registerSecretParamTools);
    withDefault = await toolsList(registerSecretParamTools, registerKeyDefaultTool);
  });

  it("keeps a real server's tools/list as it was sent: login password, GitHub token, nested auth token", () => {
    const sent = JSON.parse(schemasOnly);
    // The fixture's schemas do name secrets, at the top and nested.
    expect(sent.result.tools[0].inputSchema.properties.password).toMatchObject({ type: "string" });
    expect(sent.result.tools[2].inputSchema.properties.auth.properties.token).toEqual({ type: "string" });
    expect(masked(sent)).toEqual({ value: sent, found: [] });
    // Stored the same whichever way a capture masks it, and as free text (a server printing it).
    for (const standIn of ["always", "never"] as const) {
      const found = new Set<string>();
      expect(capturePayload(sent, 64 * 1024, found, { standIn })).toBe(schemasOnly);
      expect(found.size).toBe(0);
    }
    const found = new Set<string>();
    expect(captureText(schemasOnly, 64 * 1024, found)).toBe(schemasOnly);
    expect(found.size).toBe(0);
  });

  it("masks the secrets held as parameters' defaults, and nothing else of the tools/list", () => {
    const sent = JSON.parse(withDefault);
    const out = masked(sent);
    expect(JSON.stringify(out.value)).not.toContain(DEFAULT_KEY);
    expect(JSON.stringify(out.value)).not.toContain(DEFAULT_PASSPHRASE);
    expect(out.found).toEqual(["named-secret", "sk-key"]);
    // Everything but those defaults is as it was sent.
    const expected = JSON.parse(withDefault);
    const properties = expected.result.tools.at(-1).inputSchema.properties;
    expect(properties.api_key.default).toBe(DEFAULT_KEY);
    properties.api_key.default = `[masked:sk-key…${DEFAULT_KEY.slice(-4)}]`;
    expect(properties.passphrase.default).toBe(DEFAULT_PASSPHRASE);
    properties.passphrase.default = `[masked:named-secret…${DEFAULT_PASSPHRASE.slice(-4)}]`;
    expect(out.value).toEqual(expected);
  });

  it("masks every value a schema holds under a secret name, at any depth, and in its parts' schemas", () => {
    const schema = {
      type: "object",
      properties: {
        password: {
          type: "string",
          default: "hunter2hunter2",
          examples: ["correct horse"],
          enum: ["a1", "b2"],
        },
        pin_secret: { const: "4242", description: "The PIN" },
        passphrase: { type: "string", description: { en: "hunter2" } },
        auth: {
          type: "object",
          properties: { token: { type: "string", default: "opaque-token-1" }, mode: { enum: ["basic"] } },
        },
        passwords: { type: "array", items: { type: "string", default: "s3cret" }, default: ["one", "two"] },
        api_key: { anyOf: [{ type: "string", default: "k-9f8e7d" }, { type: "null" }] },
        credentials: { type: "object", properties: { user: { type: "string", default: "bob" } } },
      },
    };
    expect(masked(schema)).toEqual({
      value: {
        type: "object",
        properties: {
          password: { type: "string", default: HIDDEN, examples: [HIDDEN], enum: [HIDDEN, HIDDEN] },
          pin_secret: { const: HIDDEN, description: "The PIN" },
          // A description that is no text is no schema's: the whole object is masked as a value.
          passphrase: { type: HIDDEN, description: { en: HIDDEN } },
          // `auth` is secret only when its value looks random; its `token` is secret by name.
          auth: {
            type: "object",
            properties: { token: { type: "string", default: HIDDEN }, mode: { enum: ["basic"] } },
          },
          passwords: { type: "array", items: { type: "string", default: HIDDEN }, default: [HIDDEN, HIDDEN] },
          api_key: { anyOf: [{ type: "string", default: HIDDEN }, { type: "null" }] },
          // A part of a credentials object is part of the secret.
          credentials: { type: "object", properties: { user: { type: "string", default: HIDDEN } } },
        },
      },
      found: ["named-secret"],
    });
  });

  it("still masks by every text rule what describes a secret parameter", () => {
    const github = `ghp_${"kT9qW2xZ7mNb4vLc8RpD1sFh6GjYe3Ua5Xo0"}`;
    const out = masked({ token: { type: "string", description: `e.g. ${github}`, pattern: "^ghp_" } });
    expect(out).toEqual({
      value: {
        token: {
          type: "string",
          description: `e.g. [masked:github-pat…${github.slice(-4)}]`,
          pattern: "^ghp_",
        },
      },
      found: ["github-pat"],
    });
  });

  it("keeps every describing keyword that holds what a real schema's does", () => {
    const schema = {
      token: {
        type: ["string", "null"],
        title: "GitHub token",
        format: "password",
        pattern: "^gh[ps]_",
        minLength: 40,
        maxLength: 255,
        exclusiveMinimum: true,
        deprecated: false,
        $ref: "#/$defs/Token",
      },
      credentials: {
        type: "object",
        required: ["user"],
        dependentRequired: { user: ["pass"] },
        dependencies: { pass: ["user"] },
        properties: { user: { type: "string" } },
      },
    };
    expect(masked(schema)).toEqual({ value: schema, found: [] });
    // A title is text like any other: a credential in it is masked by the text rules.
    const github = `ghp_${"kT9qW2xZ7mNb4vLc8RpD1sFh6GjYe3Ua5Xo0"}`;
    expect(masked({ token: { type: "string", title: github } }).value).toEqual({
      token: { type: "string", title: `[masked:github-pat…${github.slice(-4)}]` },
    });
  });

  it("masks whole what is not clearly a schema", () => {
    for (const value of [
      { credentials: { user: "x", pass: "y" } },
      // A `type` that is no JSON Schema type, a key that is no keyword, or nothing saying what it is.
      { token: { type: "bearer", value: "abc123" } },
      { secret: { type: "string", note: "hunter2" } },
      { password: { description: "hunter2" } },
      { api_key: { type: ["string", "key"], title: "k-123" } },
      // A describing keyword holding what no real schema's holds: a bound that is text, a format that is
      // none of the formats, a $ref that points nowhere, a title that is no text, required not names.
      { secret: { type: "string", maxLength: "hunter2secret" } },
      { token: { type: "string", format: "hunter2secret" } },
      { token: { $ref: "hunter2secret" } },
      { password: { type: "string", title: ["hunter2"] } },
      { password: { type: "string", uniqueItems: "hunter2" } },
      { credentials: { type: "object", required: "hunter2" } },
    ]) {
      const out = masked(value);
      const leaves = JSON.stringify(out.value).match(/"[^"]*"(?=[,}\]])/g) ?? [];
      expect(leaves.length, JSON.stringify(value)).toBeGreaterThan(0);
      for (const leaf of leaves) expect(leaf, JSON.stringify(value)).toBe(`"${HIDDEN}"`);
      expect(out.found).toEqual(["named-secret"]);
    }
    // A value no JSON holds (an event's details can): no schema either, and no failure.
    expect(capturePayload({ password: { type: undefined, enum: ["hunter2"] } })).toBe(
      `{"password":{"type":"${HIDDEN}","enum":["${HIDDEN}"]}}`,
    );
  });

  it("reads a nested value after a secret-named key in text as the key's values, a schema as none", () => {
    for (const text of ['{"password": {"type": "string"}}', "password: {}"])
      expect(maskString(text), text).toBe(text);
    expect(maskString('"token": ["abc"]')).toBe(`"token": ["${HIDDEN}"]`);
    expect(maskString("password: {hunter2}")).toBe(`password: {${HIDDEN}}`);
  });
});
