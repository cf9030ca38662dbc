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
});
