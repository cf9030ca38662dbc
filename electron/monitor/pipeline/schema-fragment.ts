/**
 * How masking tells a JSON Schema fragment from a secret: a tool's `inputSchema` describes a `password`
 * or `token` parameter with an object under that name (`"password": {"type": "string"}`), which is not a
 * secret, while `"credentials": {"user": "…", "pass": "…"}` holds one. Only an object made of schema
 * keywords alone, each holding what a schema's would, that says what its value is, counts as a schema;
 * anything else stays a secret.
 */

/**
 * What a keyword holds. `value`: a value of the described instance (`default`, `const`), or a list of
 * them (`values`: `enum`, `examples`) — under a secret-named property, secrets. `schema`, `schemas`
 * (a list, or one), `schema-map` (name → schema) and `properties` (the same, named after the instance's
 * keys): schemas of parts of the value. `text`: what describes it (type, title, bounds, pattern).
 */
export type SchemaRole = "value" | "values" | "schema" | "schemas" | "schema-map" | "properties" | "text";

const ROLES = new Map<string, SchemaRole>([
  ["default", "value"],
  ["const", "value"],
  ["example", "value"],
  ["enum", "values"],
  ["examples", "values"],
  ["properties", "properties"],
  ["patternProperties", "schema-map"],
  ["dependentSchemas", "schema-map"],
  ["$defs", "schema-map"],
  // Draft 7's: a property's name → the names it requires, or a schema.
  ["dependencies", "schema-map"],
  ["definitions", "schema-map"],
  ["items", "schemas"],
  ["allOf", "schemas"],
  ["anyOf", "schemas"],
  ["oneOf", "schemas"],
  ["prefixItems", "schemas"],
  ["additionalProperties", "schema"],
  ["additionalItems", "schema"],
  ["unevaluatedProperties", "schema"],
  ["unevaluatedItems", "schema"],
  ["propertyNames", "schema"],
  ["contains", "schema"],
  ["contentSchema", "schema"],
  ["not", "schema"],
  ["if", "schema"],
  ["then", "schema"],
  ["else", "schema"],
]);

/** What each describing keyword holds in a real schema: a value of another JSON type is no schema's. */
type TextValue =
  | "string"
  | "number"
  | "boolean"
  | "bound"
  | "names"
  | "name-lists"
  | "types"
  | "ref"
  | "format";

const TEXT_KEYWORDS = new Map<string, TextValue>([
  ["$schema", "string"],
  ["$id", "string"],
  ["$ref", "ref"],
  ["$anchor", "string"],
  ["$dynamicRef", "ref"],
  ["$dynamicAnchor", "string"],
  ["$comment", "string"],
  ["type", "types"],
  ["title", "string"],
  ["description", "string"],
  ["format", "format"],
  ["pattern", "string"],
  ["minLength", "number"],
  ["maxLength", "number"],
  ["minimum", "number"],
  ["maximum", "number"],
  // A number since draft 6, a flag before it.
  ["exclusiveMinimum", "bound"],
  ["exclusiveMaximum", "bound"],
  ["multipleOf", "number"],
  ["minItems", "number"],
  ["maxItems", "number"],
  ["uniqueItems", "boolean"],
  ["minContains", "number"],
  ["maxContains", "number"],
  ["minProperties", "number"],
  ["maxProperties", "number"],
  ["required", "names"],
  ["dependentRequired", "name-lists"],
  ["contentEncoding", "string"],
  ["contentMediaType", "string"],
  ["deprecated", "boolean"],
  ["readOnly", "boolean"],
  ["writeOnly", "boolean"],
  ["nullable", "boolean"],
]);
for (const keyword of TEXT_KEYWORDS.keys()) ROLES.set(keyword, "text");

/** Keywords that say what a value is: a fragment holding none (`{"description": "…"}`) is not told apart. */
const SHAPE_KEYWORDS = new Set([
  "type",
  "$ref",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "allOf",
  "properties",
  "items",
]);

const TYPE_NAMES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);

/** The role of `keyword` in a schema fragment; null for a key no JSON Schema vocabulary here names (`x-…`). */
export function schemaRole(keyword: string): SchemaRole | null {
  return ROLES.get(keyword) ?? null;
}

/**
 * Whether `value` is clearly a JSON Schema fragment: an object whose keys are all schema keywords, with
 * at least one that says what its value is, and whose describing keywords each hold what a real schema's
 * would (`"maxLength": "hunter2"` is none).
 */
export function isSchemaFragment(value: object): boolean {
  let shaped = false;
  for (const [key, item] of Object.entries(value)) {
    if (!ROLES.has(key)) return false;
    if (ROLES.get(key) === "text" && !describes(key, item)) return false;
    if (SHAPE_KEYWORDS.has(key)) shaped = true;
  }
  return shaped;
}

/**
 * Whether an object with these keys (read from text, where their values' types are not known) is shaped
 * as a JSON Schema fragment: every key a schema keyword, one saying what its value is.
 */
export function schemaKeys(keys: readonly string[]): boolean {
  return keys.every((key) => ROLES.has(key)) && keys.some((key) => SHAPE_KEYWORDS.has(key));
}

/** Whether `item` is what the describing keyword `key` holds in a real schema. */
export function describes(key: string, item: unknown): boolean {
  switch (TEXT_KEYWORDS.get(key)) {
    case "string":
      return typeof item === "string";
    case "number":
      return typeof item === "number";
    case "boolean":
      return typeof item === "boolean";
    case "bound":
      return typeof item === "number" || typeof item === "boolean";
    case "names":
      return isNames(item);
    case "name-lists":
      return (
        item !== null &&
        typeof item === "object" &&
        !Array.isArray(item) &&
        Object.values(item).every(isNames)
      );
    case "types":
      return isTypes(item);
    case "ref":
      return typeof item === "string" && /^[^\s]*[#/][^\s]*$/.test(item);
    case "format":
      return typeof item === "string" && FORMATS.has(item);
    default:
      return false;
  }
}

/**
 * The formats JSON Schema defines, and OpenAPI's: a name outside them under a secret-named key could be
 * the secret itself.
 */
const FORMATS = new Set([
  ...["date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname"],
  ...["ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template"],
  ...["json-pointer", "relative-json-pointer", "regex", "url", "int32", "int64", "float", "double"],
  ...["byte", "binary", "password", "base64", "color", "path", "file-path", "phone"],
]);

function isNames(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/** A JSON Schema type name, or a non-empty list of them. */
function isTypes(value: unknown): boolean {
  return isTypeName(value) || (Array.isArray(value) && value.length > 0 && value.every(isTypeName));
}

function isTypeName(value: unknown): boolean {
  return typeof value === "string" && TYPE_NAMES.has(value);
}
