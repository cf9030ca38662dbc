/**
 * How masking tells a JSON Schema fragment from a secret: a tool's `inputSchema` describes a `password`
 * or `token` parameter with an object under that name (`"password": {"type": "string"}`), which is not a
 * secret, while `"credentials": {"user": "…", "pass": "…"}` holds one. Only an object made of schema
 * keywords alone, that says what its value is, counts as a schema; anything else stays a secret.
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

const TEXT_KEYWORDS = [
  "$schema",
  "$id",
  "$ref",
  "$anchor",
  "$dynamicRef",
  "$dynamicAnchor",
  "$comment",
  "type",
  "title",
  "description",
  "format",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minContains",
  "maxContains",
  "minProperties",
  "maxProperties",
  "required",
  "dependentRequired",
  "contentEncoding",
  "contentMediaType",
  "deprecated",
  "readOnly",
  "writeOnly",
  "nullable",
];
for (const keyword of TEXT_KEYWORDS) ROLES.set(keyword, "text");

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

/** The role of `keyword` in a schema fragment (only for keys of one that `isSchemaFragment` accepted). */
export function schemaRole(keyword: string): SchemaRole {
  return ROLES.get(keyword) ?? "text";
}

/**
 * Whether `value` is clearly a JSON Schema fragment: an object whose keys are all schema keywords, with
 * at least one that says what its value is, and whose `type`, if any, names JSON Schema types.
 */
export function isSchemaFragment(value: object): boolean {
  let shaped = false;
  for (const key of Object.keys(value)) {
    if (!ROLES.has(key)) return false;
    if (!SHAPE_KEYWORDS.has(key)) continue;
    if (key === "type" && !isTypes((value as { type: unknown }).type)) return false;
    shaped = true;
  }
  return shaped;
}

/** A JSON Schema type name, or a non-empty list of them. */
function isTypes(value: unknown): boolean {
  return isTypeName(value) || (Array.isArray(value) && value.length > 0 && value.every(isTypeName));
}

function isTypeName(value: unknown): boolean {
  return typeof value === "string" && TYPE_NAMES.has(value);
}
