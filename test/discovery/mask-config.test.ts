// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these are the literal ${…} references clients write
/** What discovery shows of env values, headers and args: secrets masked, references and plain values kept. */
import { describe, expect, it } from "vitest";
import { maskArgs, maskConfigValue } from "../../electron/monitor/discovery/mask-config.js";

describe("masking discovered values", () => {
  it("masks values under secret-looking keys and credential patterns under any key", () => {
    expect(maskConfigValue("GITHUB_TOKEN", "anything-at-all")).toBe("[masked:named-secret]");
    expect(maskConfigValue("Authorization", "Bearer abcdefgh12345")).toBe("[masked:named-secret…2345]");
    expect(maskConfigValue("SOME_SETTING", "sk-proj-abcdefghijklmnopqrstuvwxyz012345")).toBe(
      "[masked:sk-key…2345]",
    );
    expect(maskConfigValue("DATABASE_URL", "postgres://app:hunter22@db:5432/app")).toBe(
      "postgres://app:[masked:url-password]@db:5432/app",
    );
  });

  it("keeps plain values and the references clients resolve at launch", () => {
    expect(maskConfigValue("PATH", "/usr/local/bin:/usr/bin")).toBe("/usr/local/bin:/usr/bin");
    expect(maskConfigValue("NODE_ENV", "production")).toBe("production");
    expect(maskConfigValue("API_KEY", "${input:api-key}")).toBe("${input:api-key}");
    expect(maskConfigValue("GITHUB_TOKEN", "${env:GITHUB_TOKEN}")).toBe("${env:GITHUB_TOKEN}");
    expect(maskConfigValue("Authorization", "Bearer ${input:token}")).toBe("Bearer ${input:token}");
    expect(maskConfigValue("TOKEN", "$MY_TOKEN")).toBe("$MY_TOKEN");
    expect(maskConfigValue("TOKEN", "${{ secrets.TOKEN }}")).toBe("${{ secrets.TOKEN }}");
    expect(maskConfigValue("TOKEN", "prefix-${VAR}")).toBe("[masked:named-secret]");
    expect(maskConfigValue("TOKEN", "")).toBe("");
  });

  it("masks the value after a secret-looking flag and credentials inside args", () => {
    expect(maskArgs(["--api-key", "abc123", "--port", "3000"])).toEqual([
      "--api-key",
      "[masked:named-secret]",
      "--port",
      "3000",
    ]);
    expect(maskArgs(["--token=abcdef123", "-y", "pkg"])).toEqual([
      "--token=[masked:named-secret]",
      "-y",
      "pkg",
    ]);
    expect(maskArgs(["--password", "${input:pw}"])).toEqual(["--password", "${input:pw}"]);
    expect(maskArgs(["--verbose", "--name", "files"])).toEqual(["--verbose", "--name", "files"]);
  });
});
