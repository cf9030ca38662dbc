/** Canonical JSON and the argument digest, as documented in docs/cli.md. */
import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import { argumentsDigest, canonicalJson, requestArguments } from "../../electron/monitor/audit/audit-log.js";

it("sorts keys at every level, drops undefined members and keeps array order", () => {
  expect(canonicalJson({ b: [1, { z: 1, a: 2 }, undefined], a: 1, u: undefined, s: "é\n" })).toBe(
    '{"a":1,"b":[1,{"a":2,"z":1},null],"s":"é\\n"}',
  );
  expect(argumentsDigest({ b: [1, { z: 1, a: 2 }], a: 1 })).toBe(
    createHash("sha256").update('{"a":1,"b":[1,{"a":2,"z":1}]}').digest("hex"),
  );
});

it("takes the arguments of each audited method", () => {
  const meta = { _meta: { progressToken: 1 } };
  expect(requestArguments("tools/call", { params: { name: "t", arguments: { x: 1 }, ...meta } })).toEqual({
    x: 1,
  });
  expect(requestArguments("tools/call", { params: { name: "t" } })).toEqual({});
  expect(requestArguments("prompts/get", { params: { name: "p", arguments: { c: "d" } } })).toEqual({
    c: "d",
  });
  expect(requestArguments("resources/read", { params: { uri: "file:///x", ...meta } })).toEqual({
    uri: "file:///x",
  });
});
