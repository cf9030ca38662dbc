import { describe, expect, it } from "vitest";
import { maskString, maskValue } from "../../electron/monitor/pipeline/mask.js";

/** Text as servers write it, each holding secrets in a shape the masker knows. */
const TEXTS = [
  "clientSecret: hunter2xyz",
  "cannot connect to postgres://admin:S3cr3tPw0rd@db.internal:5432/prod (api_key=AbCdEf0123456789XYZ)",
  "Pass your token: ghp_0123456789abcdefghijABCDEFGHIJ456789 or secret: hunter2xyz9",
  '{"password":"NmDbPassA1b2c3d4","credentials":{"user":"u","pass":"p4ss"},"api_keys":["k1AbCdEf0123456789"]}',
  "config: {password: hunter2, token: [abc123def456ghi789]}",
  "Authorization: Bearer a1b2c3d4e5f6g7h8i9j0k1l2m3n4",
  "DB_PASS=NmDbPassA1b2c3d4 SMTP_PASSWORD='pw with space' --api-key=AKey0123456789abcdef",
  "machine api.github.com login octocat password NetrcPwQ1w2e3r4t5",
  '{\\"secret\\":\\"EscapedSecret0123456789\\"}',
];

describe("masking what is masked already", () => {
  it("changes nothing the second time: the kind and last four characters stay readable", () => {
    for (const text of TEXTS) {
      const once = maskString(text);
      expect(once, text).not.toBe(text);
      expect(maskString(once), text).toBe(once);
      expect(once).not.toContain("[masked:[masked:");
    }
    const value = { password: "NmDbPassA1b2c3d4", nested: { clientSecret: "hunter2xyz" }, log: TEXTS[1] };
    const once = maskValue(value);
    expect(maskValue(once)).toEqual(once);
  });

  it("keeps a masked value under a secret name as it was stored", () => {
    expect(maskString("clientSecret: [masked:named-secret]")).toBe("clientSecret: [masked:named-secret]");
    expect(maskString("api_key=[masked:named-secret…9XYZ])")).toBe("api_key=[masked:named-secret…9XYZ])");
    expect(JSON.stringify(maskValue({ password: "[masked:named-secret]" }))).toBe(
      '{"password":"[masked:named-secret]"}',
    );
    expect(maskString("credentials: {password: [masked:named-secret…c3d4], user: x}")).toBe(
      "credentials: {password: [masked:named-secret…c3d4], user: [masked:named-secret]}",
    );
  });
});
