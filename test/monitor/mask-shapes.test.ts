import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { capturePayload } from "../../electron/monitor/pipeline/capture.js";
import { maskString, maskValue } from "../../electron/monitor/pipeline/mask.js";

/**
 * Every way a payload's data reaches the store: as structured JSON (a tool's arguments), as JSON text in a
 * tool result (compact, so escaped once more in the stored message), pretty-printed or `util.inspect`ed on
 * stderr. A secret must be masked in all of them alike, and what is no secret kept in all of them.
 */
function stored(value: unknown): Record<string, string> {
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

function expectMasked(value: unknown, secrets: string[], kept: string[] = []): void {
  for (const [shape, text] of Object.entries(stored(value))) {
    for (const secret of secrets) expect(text, `${shape}: ${secret}`).not.toContain(secret);
    for (const plain of kept) expect(text, `${shape}: ${plain}`).toContain(plain);
  }
}

describe("masking the same data in every shape it is stored in", () => {
  it("masks every value of an object under a secret name, in text as in JSON", () => {
    expectMasked(
      {
        credentials: { user: "u", pass: "NestedJsonPassW2e3r4t5", key: "NestedKeyQ9w8e7r6" },
        region: "eu-west-1",
      },
      ["NestedJsonPassW2e3r4t5", "NestedKeyQ9w8e7r6"],
      ["eu-west-1"],
    );
  });

  it("masks every item of a list under a secret name, plural names too", () => {
    expectMasked(
      {
        headers: {
          "X-Api-Key": ["GoHdrApiKeyQ1w2e3r4"],
          Cookie: ["sid=GoCookieSidA5s6d7f8"],
          Authorization: ["Token GoAuthTokZ1x2c3v4b5"],
          Accept: ["application/json"],
        },
        api_key: ["ArrApiKeyM5n6b7v8"],
        password: ["PlSingArrQ1w2e3r4"],
        passwords: ["PlPluralPwA1s2d3f4"],
        secrets: { DB: "PlSecretsDbZ9x8c7v6" },
        api_keys: ["PlApiKeysL1k2j3h4"],
        tokens: ["PlTokensGh5t6y7u8i9o0pQ"],
      },
      [
        "GoHdrApiKeyQ1w2e3r4",
        "GoCookieSidA5s6d7f8",
        "GoAuthTokZ1x2c3v4b5",
        "ArrApiKeyM5n6b7v8",
        "PlSingArrQ1w2e3r4",
        "PlPluralPwA1s2d3f4",
        "PlSecretsDbZ9x8c7v6",
        "PlApiKeysL1k2j3h4",
        "PlTokensGh5t6y7u8i9o0pQ",
      ],
      ["application/json"],
    );
  });

  it("keeps token counts, which plural names also hold", () => {
    expectMasked(
      { usage: { input_tokens: 523, output_tokens: 1200, total_tokens: 1723 } },
      [],
      ["523", "1200", "1723"],
    );
  });

  it("masks the value of a name/value pair whose name is secret (Kubernetes and ECS env, HAR headers)", () => {
    expectMasked(
      {
        spec: {
          containers: [
            {
              name: "api",
              env: [
                { name: "DB_PASSWORD", value: "K8sEnvPwQ1w2e3r4" },
                { name: "STRIPE_API_KEY", value: "K8sStripeKeyA5s6d7f8" },
                { name: "LOG_LEVEL", value: "debug" },
              ],
            },
          ],
        },
        har: {
          request: {
            headers: [
              { name: "Authorization", value: "Token HarAuthTokM5n6b7v8" },
              { name: "X-Api-Key", value: "HarApiKeyP9o8i7u6" },
              { name: "Cookie", value: "sid=HarCookieY5t4r3e2" },
              { name: "Accept", value: "text/html" },
            ],
          },
        },
        ecs: { environment: [{ Name: "API_TOKEN", Value: "EcsEnvTokL1k2j3h4" }] },
      },
      [
        "K8sEnvPwQ1w2e3r4",
        "K8sStripeKeyA5s6d7f8",
        "HarAuthTokM5n6b7v8",
        "HarApiKeyP9o8i7u6",
        "HarCookieY5t4r3e2",
        "EcsEnvTokL1k2j3h4",
      ],
      ["debug", "text/html", "LOG_LEVEL", "DB_PASSWORD", "api"],
    );
  });

  it("masks credential formats that need their keyword next to them when the keyword is the key", () => {
    const okta = "00a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0";
    const sonar = "squ_0123456789abcdef0123456789abcdef01234567";
    expectMasked(
      { OKTA_KEY: okta, SONAR_LOGIN: sonar, okta: { token: "x" } },
      [okta, sonar],
      ["OKTA_KEY", "SONAR_LOGIN"],
    );
    expect(JSON.stringify(maskValue({ OKTA_KEY: okta }))).toMatch(/okta-access-token/);
  });
});
