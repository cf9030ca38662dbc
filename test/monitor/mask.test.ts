import { describe, expect, it } from "vitest";
import { capText, capturePayload } from "../../electron/monitor/pipeline/capture.js";
import { isSecretKey, maskString, maskValue } from "../../electron/monitor/pipeline/mask.js";

const SECRETS = {
  openai: "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
  github: `ghp_${"a1B2".repeat(9)}`,
  aws: "AKIAIOSFODNN7EXAMPLE",
  jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
  pem: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx\n-----END RSA PRIVATE KEY-----",
  slack: "xoxb-123456789012-abcdefghij",
};

describe("masking", () => {
  it("masks credential patterns inside free text", () => {
    for (const [name, secret] of Object.entries(SECRETS)) {
      const found = new Set<string>();
      const out = maskString(`before ${secret} after`, found);
      expect(out, name).not.toContain(secret);
      expect(out).toMatch(/^before .*masked.* after$/);
      expect(found.size).toBeGreaterThan(0);
    }
    expect(maskString(`Authorization: Bearer ${SECRETS.jwt}`)).not.toContain(SECRETS.jwt);
    expect(maskString("Authorization: Bearer opaque-token-12345")).toBe("Authorization: Bearer [masked]");
    expect(maskString("password=hunter22 user=bob")).toBe("password=[masked] user=bob");
  });

  it("masks values under secret keys, at any depth, but not protocol fields", () => {
    const value = {
      params: {
        name: "login",
        arguments: {
          user: "bob",
          password: "hunter2",
          api_key: "k-123",
          nested: { Authorization: "Basic Ym9iOmh1bnRlcjI=" },
        },
        _meta: { progressToken: 7 },
      },
      env: { GITHUB_TOKEN: "x", OPENAI_API_KEY: "y", PATH: "/usr/bin" },
      maxTokens: 100,
    };
    const masked = maskValue(value) as typeof value;
    expect(masked.params.arguments.password).toBe("[masked]");
    expect(masked.params.arguments.api_key).toBe("[masked]");
    expect(masked.params.arguments.nested.Authorization).toBe("[masked]");
    expect(masked.params.arguments.user).toBe("bob");
    expect(masked.params._meta.progressToken).toBe(7);
    expect(masked.env.GITHUB_TOKEN).toBe("[masked]");
    expect(masked.env.OPENAI_API_KEY).toBe("[masked]");
    expect(masked.env.PATH).toBe("/usr/bin");
    expect(masked.maxTokens).toBe(100);
    expect(isSecretKey("progressToken")).toBe(false);
    expect(isSecretKey("client_secret")).toBe(true);
  });

  it("caps captured payloads with a marker, on a character boundary", () => {
    const text = "é".repeat(100); // 200 bytes
    const capped = capText(text, 51);
    expect(capped.startsWith("é".repeat(25))).toBe(true);
    expect(capped).toMatch(/…\[truncated 150 bytes\]$/);
    expect(capText("short", 100)).toBe("short");
    const payload = capturePayload({ result: "x".repeat(100_000), token: "abc" }, 1024) ?? "";
    expect(payload.length).toBeLessThan(1100);
    expect(payload).toContain("[truncated");
    expect(capturePayload({ token: "abcdef" })).toBe('{"token":"[masked]"}');
  });
});
