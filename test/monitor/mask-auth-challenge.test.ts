/**
 * A `WWW-Authenticate: Bearer …` challenge carries no credential: its parameters stay readable, while a
 * Bearer or Basic credential is still masked.
 */
import { describe, expect, it } from "vitest";
import { maskString } from "../../electron/monitor/pipeline/mask.js";

describe("masking an auth challenge", () => {
  it("keeps the parameters of a Bearer challenge", () => {
    for (const challenge of [
      'Bearer resource_metadata="http://127.0.0.1:47331/.well-known/oauth-protected-resource"',
      'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
      'Bearer scope="files:read files:write"',
      'Bearer error_uri="https://example.com/errors/401"',
    ]) {
      const text = `the upstream answered 401 (unauthorized) to POST /mcp; WWW-Authenticate: ${challenge}`;
      expect(maskString(text)).toBe(text);
    }
  });

  it("still masks a credential after Bearer or Basic, including one that starts like a parameter name", () => {
    expect(maskString("Authorization: Bearer opaque-token-12345")).toBe(
      "Authorization: Bearer [masked:bearer…2345]",
    );
    expect(maskString("sent Bearer realmXq7Tz9kLw2vB8nM4 upstream")).toBe(
      "sent Bearer [masked:bearer…8nM4] upstream",
    );
    const basic = Buffer.from("qa:pw5ecret-value").toString("base64");
    expect(maskString(`header Basic ${basic}`)).not.toContain(basic);
  });
});
