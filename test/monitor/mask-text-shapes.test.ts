import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { maskString, maskValue } from "../../electron/monitor/pipeline/mask.js";
import { expectMasked } from "../helpers/masked-shapes.js";

describe("masking secrets in the text shapes servers print", () => {
  it("masks a JSON string whole, escapes and all, and the JSON stays JSON", () => {
    for (const password of ['ab"cd1234xyz', "hunter\\2"]) {
      const text = JSON.stringify({ password, user: "bob" });
      const out = maskString(text);
      expect(JSON.parse(out)).toEqual({ password: "[masked:named-secret]", user: "bob" });
      // The same JSON text inside a string (a tool result quoting it): escaped once more.
      const quoted = JSON.stringify({ text });
      expect(JSON.parse(JSON.parse(maskString(quoted)).text)).toEqual({
        password: "[masked:named-secret]",
        user: "bob",
      });
    }
    expectMasked({ password: 'ab"cd1234xyz', user: "bob" }, ["cd1234xyz"], ["bob"]);
  });

  it("masks an XML element's text whole, up to its closing tag", () => {
    expect(
      maskString(
        "<password>correct horse battery staple</password> <password>Pa55,word;1</password> <Password>p&amp;ss</Password> <user>bob</user>",
      ),
    ).toBe(
      "<password>[masked:named-secret…aple]</password> <password>[masked:named-secret]</password> <Password>[masked:named-secret]</Password> <user>bob</user>",
    );
  });

  it("masks a Kubernetes env entry printed as YAML, name line then value line", () => {
    const pod = "env:\n  - name: DB_PASSWORD\n    value: hunter2\n  - name: LOG_LEVEL\n    value: debug\n";
    expect(maskString(pod)).toBe(
      "env:\n  - name: DB_PASSWORD\n    value: [masked:named-secret]\n  - name: LOG_LEVEL\n    value: debug\n",
    );
    expect(JSON.stringify(maskValue({ manifest: pod }))).not.toContain("hunter2");
  });

  it("masks every line of a base64 private key wrapped at 76 columns, and the line after it stays", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const lines =
      Buffer.from(pem)
        .toString("base64")
        .match(/.{1,76}/g) ?? [];
    expect(lines.length).toBeGreaterThan(10);
    const text = `tls.key: ${lines.join("\n")}\nnext: done`;
    for (const shape of [text, JSON.stringify({ text })]) {
      const out = maskString(shape);
      for (const line of lines.slice(1)) expect(out).not.toContain(line.slice(0, 20));
      expect(out).toContain("next: done");
    }
  });

  it("masks webhook and bot tokens in a debug log that prints the path apart from the host", () => {
    const discord = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz01klmn";
    const telegram = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    const teams =
      "0a1b2c3d-0000-1111-2222-333344445555@0a1b2c3d-0000-1111-2222-333344445555/IncomingWebhook/TeamsHookSecretAbCdEf0123456789/0a1b2c3d-0000-1111-2222-333344445555";
    const log = [
      `DEBUG:urllib3.connectionpool:https://discord.com:443 "POST /api/webhooks/123456789012345678/${discord} HTTP/1.1" 204 0`,
      `DEBUG:urllib3.connectionpool:https://api.telegram.org:443 "POST /bot${telegram}/sendMessage HTTP/1.1" 200 321`,
      `DEBUG:urllib3.connectionpool:https://contoso.webhook.office.com:443 "POST /webhookb2/${teams} HTTP/1.1" 200 1`,
      `posting to discord.com/api/webhooks/123456789012345678/${discord}`,
    ];
    expectMasked(
      { log },
      [discord.slice(0, 30), "AAHdqTcvCH1vGWJx", "TeamsHookSecret"],
      ["/sendMessage", "/api/webhooks/"],
    );
  });

  it("masks a .netrc entry and keeps prose that names a machine and a password", () => {
    for (const prose of [
      "On this machine, the default password is set by your admin.",
      "machine learning login page password reset flow",
    ])
      expect(maskString(prose)).toBe(prose);
    for (const netrc of [
      "machine api.github.com login octocat password NetrcPwQ1w2e3r4t5\n",
      "machine build-server\n  login ci\n  password hunter2\n",
      "machine localhost login me password pw1\ndefault login anonymous password guest@\n",
    ])
      expect(maskString(netrc)).not.toMatch(/NetrcPwQ1w2e3r4t5|hunter2|pw1|guest@/);
  });
});
