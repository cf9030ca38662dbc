import { describe, expect, it } from "vitest";
import { maskString, maskValue } from "../../electron/monitor/pipeline/mask.js";
import { expectMasked } from "../helpers/masked-shapes.js";

/** A base64 secret that happens to start with `/` and hold no `+` or `=`: about one in a hundred. */
const SLASH_SECRET = "/9j4Ks/Lm2QpXz7Rt5Wv8Yb3Nc6Df1Gh0Jk2LmNo";

describe("which values a secret name masks", () => {
  it("masks whatever a strong name holds, also what looks like a path, a date or a URL", () => {
    expectMasked(
      {
        client_secret: SLASH_SECRET,
        password: "/hunter2",
        db_password: "2024-01-01",
        webhook_token: "https://hooks.zapier.com/hooks/catch/123456/abcdef/",
      },
      [SLASH_SECRET.slice(1, 12), "hunter2", "2024-01-01", "hooks.zapier.com"],
    );
    expect(maskString(`aws_secret_access_key: "${SLASH_SECRET}"`)).toBe(
      'aws_secret_access_key: "[masked:named-secret…LmNo]"',
    );
    // A key named for what looks random, holding base64 that starts with `/`: still a credential.
    expect(JSON.stringify(maskValue({ OPENAI_KEY: SLASH_SECRET }))).not.toContain("Lm2Qp");
  });

  it("keeps paths, dates and URLs under names that mask only random-looking values", () => {
    expectMasked(
      {
        Key: "/photos/2024/img_0001.jpg",
        cache_key: "/var/cache/app/index",
        session: "2024-05-01T10:00:00Z",
        auth: "https://login.example.com/oauth2/authorize",
      },
      [],
      [
        "/photos/2024/img_0001.jpg",
        "/var/cache/app/index",
        "2024-05-01T10:00:00Z",
        "login.example.com/oauth2",
      ],
    );
  });

  it("judges a value that starts as a path and is none at its end, however long its first segment", () => {
    // Read as a possible path, this once tried every split of its 42 word characters: hours, not microseconds.
    const notPath = "/Xk9mQ2vL7pR4tW8zB3nC6yD1fG5hJ0sK2aE4uI7oPq!";
    const longPath = `/srv/${"a".repeat(5000)}/index`;
    expectMasked({ session: notPath, auth: longPath }, ["Xk9mQ2vL7pR4"], [longPath]);
  });

  it("keeps hashes, ObjectIds and ULIDs under key names, and the values of id-naming keys", () => {
    const ids = {
      key: "3f786850e387550fdab836ed7e6dc881de23001b",
      RowKey: "507f1f77bcf86cd799439011",
      idempotency_key: "01HGW2N7ZK8Q3Y4T5V6X7Z8A9B",
      dedup_key: "srv1-7d2f9a0b4c6e",
      cache_key: "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
      file_key: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    };
    expectMasked(ids, [], Object.values(ids));
    expect(maskString("key=3f786850e387550fdab836ed7e6dc881de23001b")).toBe(
      "key=3f786850e387550fdab836ed7e6dc881de23001b",
    );
    // A random credential under the same names is still one.
    expectMasked({ key: "NmPlainKeyY5z6a7b8", OPENAI_KEY: "0123456789abcdef0123456789abcdef" }, [
      "NmPlainKeyY5z6a7b8",
      "0123456789abcdef0123456789abcdef",
    ]);
  });

  it("masks human-chosen passwords under a word pass: DB_PASS, SMTP_PASS, dbPass", () => {
    expectMasked(
      {
        DB_PASS: "Winter2024!",
        SMTP_PASS: "correcthorse",
        dbPass: "hunter2",
        env: [{ name: "REDIS_PASS", value: "Summer2025" }],
        bypass: "cache",
        first_pass: "done",
        pass: true,
      },
      ["Winter2024!", "correcthorse", "hunter2", "Summer2025"],
      ["cache", "done"],
    );
    expect(maskString("DB_PASS=hunter2 smtp_pass: Winter2024!")).toBe(
      "DB_PASS=[masked:named-secret] smtp_pass: [masked:named-secret]",
    );
  });

  it("keeps numbers under plural names: they count, as token usage does", () => {
    const counts = {
      total_tokens: 12345678,
      prompt_tokens: 10293847,
      tokens: 98765432,
      usage: { input_tokens: 15728640 },
      cookies: 3,
      secrets: 2,
      api_keys: 5,
    };
    expect(maskValue(counts)).toEqual(counts);
    const text = JSON.stringify(counts);
    expect(maskString(text)).toBe(text);
    // The plural still names secrets that are no number.
    expectMasked({ secrets: "hunter2", api_keys: ["k1AbCdEf0123456789"] }, ["hunter2", "k1AbCdEf0123456789"]);
  });
});
