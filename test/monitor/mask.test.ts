import { describe, expect, it } from "vitest";
import { capText, capturePayload } from "../../electron/monitor/pipeline/capture.js";
import gitleaks from "../../electron/monitor/pipeline/gitleaks-rules.json" with { type: "json" };
import { isSecretKey, maskString, maskValue } from "../../electron/monitor/pipeline/mask.js";
import { AWS_KEY_ID } from "../../electron/monitor/pipeline/token-rules.js";

// Made-up values in the real formats, built at run time so no literal looks like a live credential.
const SECRETS = {
  openai: `sk-proj-${"abcdefghij".repeat(3)}`,
  github: `ghp_${"kT9qW2xZ7mNb4vLc8RpD1sFh6GjYe3Ua5Xo0"}`,
  aws: `AKIA${"Q3ZX7W2M".repeat(2)}`,
  jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
  pem: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx\n-----END RSA PRIVATE KEY-----",
  slack: `xoxb-123456789012-123456789012-${"aBcD".repeat(6)}`,
};

describe("masking", () => {
  it("masks credential patterns inside free text, naming the kind and keeping at most 4 characters", () => {
    for (const [name, secret] of Object.entries(SECRETS)) {
      const found = new Set<string>();
      const out = maskString(`before ${secret} after`, found);
      expect(out, name).not.toContain(secret);
      expect(out, name).toMatch(/^before \[masked:[a-z-]+(?:….{4})?\] after$/);
      expect(found.size).toBeGreaterThan(0);
    }
    expect(maskString(`x ${SECRETS.github} y`)).toBe(`x [masked:github-pat…${SECRETS.github.slice(-4)}] y`);
    expect(maskString("Authorization: Bearer opaque-token-12345")).toBe(
      "Authorization: Bearer [masked:bearer…2345]",
    );
    expect(maskString("password=hunter22 user=bob")).toBe("password=[masked:named-secret] user=bob");
  });

  it("masks a bare AWS secret access key that follows its key id, and not a hex digest there", () => {
    const secret = `wJalrXUtnFEMI/K7MDENG/${"bPxRfiCYz".repeat(2)}`.slice(0, 40);
    for (const text of [
      `AWS ${SECRETS.aws} ${secret}`,
      `${SECRETS.aws},${secret}\n`,
      `{"id":"${SECRETS.aws}","key":"${secret}"}`,
    ]) {
      const out = maskString(text);
      expect(out, text).not.toContain(secret.slice(0, 36));
      expect(out, text).toContain("[masked:aws-secret-access-key…");
    }
    const digest = "3f786850e387550fdab836ed7e6dc881de23001b";
    expect(maskString(`${SECRETS.aws} commit ${digest}`)).toContain(digest);
    // The rule that opens the window is the vendored set's own: a regenerated set must keep its id.
    expect(gitleaks.rules.map((rule) => rule.id)).toContain(AWS_KEY_ID);
    // Alone, 40 base64 characters are not known to be a secret.
    expect(maskString(`key ${secret}`)).toContain(secret);
  });

  it("masks a credential after a secret word in prose: `secret KEY`, `aws_secret_access_key KEY`, quoted", () => {
    const secret = `wJalrXUtnFEMI/K7MDENG/${"bPxRfiCYz".repeat(2)}`.slice(0, 40);
    const temporary = `ASIA${"Q3ZX7W2M".repeat(2)}`;
    for (const text of [
      `${SECRETS.aws} secret ${secret}`,
      `${temporary} and some words before it ${secret}`,
      `aws_secret_access_key ${secret}`,
      `SecretAccessKey "${secret}"`,
      `the secret ${secret}`,
    ]) {
      const out = maskString(text);
      expect(out, text).not.toContain(secret.slice(0, 36));
      expect(out, text).toContain("[masked:aws-secret-access-key…");
    }
    // Not 40 characters, so no AWS key, but a credential all the same once `secret` introduces it.
    const line = `using password=hunter2 and ${SECRETS.aws} secret wJalrXUtnFI/K7MDENG/bPxRfiCYEXAMPLEKEY`;
    expect(maskString(line)).toBe(
      `using password=[masked:named-secret] and [masked:aws-access-token…${SECRETS.aws.slice(-4)}] secret [masked:named-secret…EKEY]`,
    );
    // Words and paths after `secret` are prose.
    for (const prose of ["the secret rotation-schedule runs daily", "secret is in /home/me/.aws/credentials"])
      expect(maskString(prose)).toBe(prose);
  });

  it("masks a credential in prose when punctuation ends the sentence or clause after it", () => {
    const secret = `wJalrXUtnFEMI/K7MDENG/${"bPxRfiCYz".repeat(2)}`.slice(0, 40);
    const named = "wJalrXUtnFI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const cases: [string, string][] = [
      [`secret ${secret}.`, "secret [masked:aws-secret-access-key…"],
      [`aws_secret_access_key ${secret}.`, "aws_secret_access_key [masked:aws-secret-access-key…"],
      [`The secret ${secret}. Next`, "The secret [masked:aws-secret-access-key…"],
      [`client secret ${secret}!`, "client secret [masked:aws-secret-access-key…"],
      [`secret ${secret}:`, "secret [masked:aws-secret-access-key…"],
      [`the secret ${named}?`, "the secret [masked:named-secret…EKEY]?"],
    ];
    for (const [text, start] of cases) {
      const out = maskString(text);
      expect(out, text).not.toContain(secret.slice(0, 36));
      expect(out, text).not.toContain(named.slice(0, 30));
      expect(out, text).toContain(start);
    }
    // The punctuation stays: it is the sentence's, not the secret's.
    expect(maskString(`secret ${named}. Next`)).toBe("secret [masked:named-secret…EKEY]. Next");
  });

  it("leaves names and ids after `secret` alone: dash-joined words, camel-case names, UUIDs, digits", () => {
    for (const prose of [
      "Fetched secret prod-db-password-v3 from Vault",
      "Created secret 550e8400-e29b-41d4-a716-446655440000",
      "kubernetes secret default-token-abc12 mounted",
      "reading secret MyAppDatabasePassword now",
      "Secret TopSecretWebhookHandler registered",
      "no-secret 1234567890123456",
      "the secret rotation-schedule-2024 runs daily",
    ])
      expect(maskString(prose)).toBe(prose);
  });

  it("masks by structure: URL user info, secret-named keys in every syntax, flags, headers, queries", () => {
    const cases: [string, string][] = [
      ["https://admin:S3cretPW@host/x", "https://admin:[masked:url-password]@host/x"],
      ["postgres://app:pw123@localhost/db", "postgres://app:[masked:url-password]@localhost/db"],
      ["export MY_SECRET_TOKEN=abcd1234efgh", "export MY_SECRET_TOKEN=[masked:named-secret]"],
      ['{"MY_SECRET_TOKEN": "correct horse battery"}', '{"MY_SECRET_TOKEN": "[masked:named-secret…tery]"}'],
      ["DB_PASSWORD: hunter2", "DB_PASSWORD: [masked:named-secret]"],
      [
        "run --password hunter2 --api-key=abc123 -v",
        "run --password [masked:named-secret] --api-key=[masked:named-secret] -v",
      ],
      [
        "GET /x?user=a&password=p4ss&access_token=zzz9",
        "GET /x?user=a&password=[masked:named-secret]&access_token=[masked:named-secret]",
      ],
      ["X-Api-Key: k123456", "X-Api-Key: [masked:named-secret]"],
      ["Cookie: sid=abc123; theme=dark", "Cookie: [masked:named-secret…dark]"],
      ["session: 9fK2mQ7xLp3Z", "session: [masked:named-secret]"],
    ];
    for (const [text, masked] of cases) expect(maskString(text), text).toBe(masked);
    // Settings, prose and protocol fields are not secrets.
    for (const text of [
      "auth: none",
      "the token is valid",
      "max_tokens=100 progressToken=5",
      "token: $GITHUB_TOKEN",
    ])
      expect(maskString(text), text).toBe(text);
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
      auth: false,
    };
    const masked = maskValue(value) as typeof value;
    expect(masked.params.arguments.password).toBe("[masked:named-secret]");
    expect(masked.params.arguments.api_key).toBe("[masked:named-secret]");
    expect(masked.params.arguments.nested.Authorization).toBe("Basic [masked:bearer…cjI=]");
    expect(masked.params.arguments.user).toBe("bob");
    expect(masked.params._meta.progressToken).toBe(7);
    expect(masked.env.GITHUB_TOKEN).toBe("[masked:named-secret]");
    expect(masked.env.OPENAI_API_KEY).toBe("[masked:named-secret]");
    expect(masked.env.PATH).toBe("/usr/bin");
    expect(masked.maxTokens).toBe(100);
    expect(masked.auth).toBe(false);
    expect(isSecretKey("progressToken")).toBe(false);
    expect(isSecretKey("client_secret")).toBe(true);
    expect(isSecretKey("aws_secret_access_key")).toBe(true);
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
    expect(capturePayload({ token: "abcdef" })).toBe('{"token":"[masked:named-secret]"}');
  });

  it("masks a secret that straddles the capture cap, and keeps no part of it", () => {
    const limit = 4096;
    for (const secret of [SECRETS.github, SECRETS.pem]) {
      // The secret starts 10 bytes before the cap: the stored text ends inside where it would be.
      const text = `${"x".repeat(limit - 10 - '{"text":"'.length)}${secret} and more ${"y".repeat(100_000)}`;
      const stored = capturePayload({ text }, limit) ?? "";
      expect(stored).toContain("[truncated");
      expect(stored).not.toContain(secret.slice(0, 8));
    }
  });
});
