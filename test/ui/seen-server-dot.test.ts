/**
 * The live dot of servers seen in traffic only, in real Chromium: lit by calls the server answered lately,
 * not by an open session. A real proxy in front of an upstream that refuses every connection keeps a
 * session open without one answered call (dark); a real wrapped server whose session ended after answering
 * (lit).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { beforeAll, describe, expect, it } from "vitest";
import { freePort, startProxy, storedCalls } from "../helpers/http.js";
import { waitFor } from "../helpers/mcp.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { runFixture } from "../security/helpers.js";
import { HAS_CHROMIUM, openPage, warnIfNoChromium } from "./browser.js";

const TIMEOUT_MS = 15_000;

warnIfNoChromium("test/ui/seen-server-dot.test.ts");

describe.skipIf(!HAS_CHROMIUM)("the live dot of a server seen in traffic only (real Chromium)", () => {
  const ui = uiFixture();
  let url: string;

  beforeAll(async () => {
    const dir = await ui.dir();
    const dataDir = join(dir, "data");
    await runFixture(dataDir, "answering", {});
    const proxy = await startProxy(`http://127.0.0.1:${await freePort()}/mcp`, dataDir, "refused");
    ui.defer(() => proxy.stop());
    const client = new Client({ name: "qa", version: "1.0.0" });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(proxy.url)))).rejects.toThrow();
    await waitFor(() => storedCalls(dataDir, "refused").length > 0);
    const home = join(dir, "home");
    await mkdir(home);
    url = (await ui.serve(dataDir, home)).url;
  }, 60_000);

  it("is dark for a proxy whose upstream answered nothing, lit for a server that answered", async () => {
    const { page } = await openPage(ui.browser, url);
    await page.getByTestId("nav-servers").click();
    const dot = (name: string) =>
      page.getByTestId("traffic-only-row").filter({ hasText: name }).getByTestId("traffic-only-dot");
    await dot("refused").waitFor({ timeout: TIMEOUT_MS });
    await dot("answering").waitFor({ timeout: TIMEOUT_MS });
    expect(await dot("refused").getAttribute("class")).toContain("dot-idle");
    expect(await dot("answering").getAttribute("class")).toContain("dot-live");
    await page.getByTestId("traffic-only-row").filter({ hasText: "refused" }).click();
    const detailDot = page.getByTestId("seen-server-dot");
    await detailDot.waitFor({ timeout: TIMEOUT_MS });
    expect(await detailDot.getAttribute("class")).toContain("dot-idle");
    expect(await detailDot.getAttribute("title")).toContain("Not active");
  });
});
