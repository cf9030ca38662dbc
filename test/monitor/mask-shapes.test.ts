import { describe, expect, it } from "vitest";
import { capturePayload } from "../../electron/monitor/pipeline/capture.js";
import { maskString, maskValue } from "../../electron/monitor/pipeline/mask.js";
import { expectMasked } from "../helpers/masked-shapes.js";

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

  it("masks a name/value pair written value first, in text as in JSON", () => {
    expectMasked(
      {
        env: [
          { value: "ValFirstPwQ1w2e3r4", name: "DB_PASSWORD" },
          { value: 84736251, name: "DB_PIN_PASSWORD" },
          { value: "debug", name: "LOG_LEVEL" },
        ],
        headers: [
          { value: "Token ValFirstTokM5n6b7v8", name: "Authorization" },
          { Value: "ValFirstEcsL1k2j3h4", Name: "API_TOKEN" },
        ],
      },
      ["ValFirstPwQ1w2e3r4", "84736251", "ValFirstTokM5n6b7v8", "ValFirstEcsL1k2j3h4"],
      ["debug", "LOG_LEVEL", "DB_PASSWORD", "Authorization"],
    );
    // As YAML writes the pair, and JSON text stays JSON.
    expect(maskString("- value: ValFirstPwQ1w2e3r4\n  name: DB_PASSWORD\n")).not.toContain(
      "ValFirstPwQ1w2e3r4",
    );
    const text = maskString('[{"value":84736251,"name":"DB_PASSWORD"}]');
    expect(JSON.parse(text)).toEqual([{ value: "[masked:named-secret]", name: "DB_PASSWORD" }]);
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

describe("masking what developers' credentials look like, and keeping what is no secret", () => {
  it("masks the values of common names: *_PASS, *_KEY, ?key=, a DSN's key, an XML <password>", () => {
    expectMasked(
      {
        DB_PASS: "NmDbPassA1b2c3d4",
        SMTP_PASS: "NmSmtpPassE5f6g7h8",
        dbPass: "NmCamelPassQ2w3e4r5",
        OPENAI_KEY: "NmOpenaiKeyM3n4o5p6",
        key: "NmPlainKeyY5z6a7b8",
        url: "https://maps.example.com/api?key=AddRemoteUrlKeyN8b7v6c5&q=1",
        SENTRY_DSN: "https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/5",
        settings: "<server><password>TxXmlPw3a4b5c6d</password></server>",
      },
      [
        "NmDbPassA1b2c3d4",
        "NmSmtpPassE5f6g7h8",
        "NmCamelPassQ2w3e4r5",
        "NmOpenaiKeyM3n4o5p6",
        "NmPlainKeyY5z6a7b8",
        "AddRemoteUrlKeyN8b7v6c5",
        "0123456789abcdef0123456789abcdef",
        "TxXmlPw3a4b5c6d",
      ],
      ["o1.ingest.sentry.io", "q=1"],
    );
    expect(maskString("DB_PASS=NmDbPassA1b2c3d4 started")).toBe("DB_PASS=[masked:named-secret…c3d4] started");
  });

  it("keeps values under key and pass names that are no credential", () => {
    expectMasked(
      {
        key: "ArrowUp",
        sort_key: "created_at",
        public_key: "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        Key: "photos/2024/img_0001.jpg",
        bypass: "cache",
        url: "git://me@example.com/repo.git",
      },
      [],
      [
        "ArrowUp",
        "created_at",
        "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        "photos/2024/img_0001.jpg",
        "cache",
        "me@example.com",
      ],
    );
  });

  it("keeps dates, paths, URLs and descriptions under names about a password or private key", () => {
    const user = {
      password_changed: "2024-05-01T10:00:00Z",
      passwordLastSet: "2024-05-01",
      password_policy: "min 12 chars, 1 digit",
      password_expires_at: "2025-01-01T00:00:00Z",
      password_reset_url: "https://example.com/reset?user=42",
      private_key_id: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
      private_key_path: "/etc/ssl/private/server.key",
      password_hint: "your dog",
      password_file: "/run/secrets/db_password",
      password: "StillMaskedPwZ9x8c7",
    };
    const kept = Object.entries(user)
      .filter(([k]) => k !== "password")
      .map(([, v]) => v);
    expectMasked(user, ["StillMaskedPwZ9x8c7"], kept);
  });

  it("masks the credential files a coding agent reads: .netrc and a kubeconfig's base64 private key", () => {
    const pem = Buffer.from(
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7\n-----END RSA PRIVATE KEY-----\n",
    ).toString("base64");
    const cert = Buffer.from(
      "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----\n",
    ).toString("base64");
    for (const text of [
      "machine api.github.com login octocat password NetrcPwQ1w2e3r4t5\n",
      "machine api.github.com\n  login octocat\n  password NetrcPwQ1w2e3r4t5\n",
      `users:\n- name: admin\n  user:\n    client-key-data: ${pem}\n    client-certificate-data: ${cert}\n`,
    ]) {
      const out = maskString(text);
      expect(out).not.toContain("NetrcPwQ1w2e3r4t5");
      expect(out).not.toContain(pem.slice(0, 40));
      if (text.startsWith("machine")) expect(out).toContain("octocat");
      if (text.includes(cert)) expect(out).toContain(cert);
    }
  });

  it("masks the framework keys every other secret is derived from: *_KEY_BASE, *_SECRET_KEY, APP_KEY", () => {
    const hex = "3f9a2b7c1d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";
    const env = {
      SECRET_KEY_BASE: hex,
      db_key_base: "DbKeyBaseQ1w2e3r4t5y6u7i8",
      otp_key_base: "OtpKeyBaseZ9x8c7v6b5n4m3",
      DJANGO_SECRET_KEY: "django-insecure-q1w2e3r4t5y6u7i8",
      APP_KEY: "base64:LaravelKey0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6=",
      RAILS_ENV: "production",
    };
    const secrets = [hex, "DbKeyBaseQ1w2e3r4t5y6u7i8", "OtpKeyBaseZ9x8c7v6b5n4m3", "q1w2e3r4t5y6u7i8"];
    expectMasked(env, [...secrets, "LaravelKey0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"], ["production"]);
    // As a Rails or Phoenix app logs them on stderr, and as a `.env` file reads.
    for (const line of [
      `SECRET_KEY_BASE=${hex}`,
      `export SECRET_KEY_BASE="${hex}"`,
      `  secret_key_base: ${hex}`,
      "APP_KEY=base64:LaravelKey0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6=",
    ])
      expect(maskString(line), line).not.toMatch(/[0-9a-f]{32}|LaravelKey0a1B2c3/);
  });

  it("masks webhook and bot URLs that are credentials, keeping their host", () => {
    const discord = "https://discord.com/api/webhooks/123456789012345678/DiscordHookTokAbCdEf0123456789xyz";
    const teams =
      "https://contoso.webhook.office.com/webhookb2/0a1b2c3d-0000-1111-2222-333344445555@0a1b2c3d-0000-1111-2222-333344445555/IncomingWebhook/TeamsHookSecretAbCdEf0123456789/0a1b2c3d-0000-1111-2222-333344445555";
    const telegram = "https://api.telegram.org/bot123456789:AAHx7Kq2Lm9Pz4Rt8Vw1Yb6Nc3Df5Gh0JkLm/sendMessage";
    expectMasked(
      { discord, teams, tg: telegram, notes: `post to ${discord} or ${telegram}` },
      [
        "DiscordHookTokAbCdEf0123456789xyz",
        "TeamsHookSecretAbCdEf0123456789",
        "AAHx7Kq2Lm9Pz4Rt8Vw1Yb6Nc3Df5Gh0JkLm",
      ],
      ["discord.com/api/webhooks/", "contoso.webhook.office.com", "api.telegram.org/bot"],
    );
  });
});

describe("masked text stays the syntax it was", () => {
  it("keeps the quotes around a masked password and JSON text valid JSON", () => {
    const value = {
      msg: "login failed",
      password: "LogNotifPwdK3j4h5g6",
      db_password: 84736251,
      api_key: 1234567890123456,
      api_keys: [4821, 7730],
      credentials: { user: "u", pass: "NestedJsonPassW2e3r4t5", port: 5432 },
    };
    for (const text of [
      JSON.stringify(value),
      JSON.stringify(value, null, 2),
      JSON.stringify(JSON.stringify(value)),
    ]) {
      const out = maskString(text);
      for (const secret of [
        "LogNotifPwdK3j4h5g6",
        "84736251",
        "1234567890123456",
        "4821",
        "NestedJsonPassW2e3r4t5",
      ])
        expect(out).not.toContain(secret);
      expect(() => JSON.parse(out), out).not.toThrow();
      expect(out).toContain("login failed");
    }
    expect(maskString('{"password": "LogNotifPwdK3j4h5g6"}')).toMatch(
      /^\{"password": "\[masked:[a-z-]+…h5g6\]"\}$/,
    );
    expect(maskString('password = "TxPwToml5e6f7g8h"')).toMatch(/^password = "\[masked:[a-z-]+…7g8h\]"$/);
  });
});

describe("credential formats in JSON text inside a string", () => {
  it("masks a quoted curl -u and a keyword-context format when their quotes are escaped", () => {
    const okta = "00a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0";
    for (const value of [
      { command: 'run: curl -u "admin:CurlQuotedPw7h8j9k" https://api.example.com/x' },
      { config: JSON.stringify({ okta_key: okta }) },
    ]) {
      const out =
        capturePayload({
          jsonrpc: "2.0",
          id: 1,
          result: { content: [{ type: "text", text: JSON.stringify(value) }] },
        }) ?? "";
      expect(out).not.toContain("CurlQuotedPw7h8j9k");
      expect(out).not.toContain(okta);
      expect(() => JSON.parse(JSON.parse(out).result.content[0].text)).not.toThrow();
    }
  });
});
