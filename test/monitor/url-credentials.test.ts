/** A configured URL's `user:password@` becomes HTTP Basic auth, as curl sends it; the URL goes without. */
import { describe, expect, it } from "vitest";
import { splitUrlCredentials } from "../../electron/monitor/url-credentials.js";

const basic = (pair: string) => `Basic ${Buffer.from(pair).toString("base64")}`;

describe("splitUrlCredentials", () => {
  it("sends the decoded user and password as Basic auth and drops them from the URL", () => {
    const { url, headers } = splitUrlCredentials(new URL("https://me%40x:p%3Aw%20d@host/mcp?k=1"), {
      "X-A": "1",
    });
    expect(url.href).toBe("https://host/mcp?k=1");
    expect(headers).toEqual({ "X-A": "1", Authorization: basic("me@x:p:w d") });
  });

  it("keeps a configured Authorization header, whatever its case", () => {
    const { url, headers } = splitUrlCredentials(new URL("http://u:p@host/mcp"), {
      authorization: "Bearer t",
    });
    expect(url.href).toBe("http://host/mcp");
    expect(headers).toEqual({ authorization: "Bearer t" });
  });

  it("leaves a URL without credentials as it is", () => {
    const configured = new URL("http://host/mcp");
    expect(splitUrlCredentials(configured, {})).toEqual({ url: configured, headers: {} });
  });
});
