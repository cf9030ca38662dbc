/**
 * The renderer's app:// scheme, through its handler with a stand-in for net.fetch that reads real files:
 * it serves the renderer's folder with the app's CSP and nothing outside it, however the path is encoded;
 * and the packaged app turns off file://'s extra privileges, which the scheme makes unnecessary.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  APP_SCHEME_PRIVILEGES,
  appProtocolHandler,
  appRequestPath,
  RENDERER_URL,
} from "../../electron/main/app-protocol.js";
import { CONTENT_SECURITY_POLICY } from "../../electron/main/window-security.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let root: string;
const fetched: string[] = [];
/** What net.fetch does with a file URL, for these tests: the file, or a failure. */
const fetchFile = async (fileUrl: string): Promise<Response> => {
  fetched.push(fileUrl);
  const body = readFileSync(fileURLToPath(fileUrl));
  return new Response(body, {
    headers: { "content-type": fileUrl.endsWith(".js") ? "text/javascript" : "text/html" },
  });
};

beforeAll(async () => {
  dir = await tempDir();
  root = join(dir.path, "dist", "renderer");
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>mcpscope</title>");
  writeFileSync(join(root, "assets", "main.js"), "export {};");
  writeFileSync(join(dir.path, "secret.txt"), "not for the renderer");
});
afterAll(async () => {
  await dir.cleanup();
});

describe("the app:// scheme", () => {
  it("is registered standard and secure, and nothing more", () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ scheme: "app", privileges: { standard: true, secure: true } });
    expect(RENDERER_URL).toBe("app://mcpscope/index.html");
  });

  it("serves the renderer's page and assets with the app's Content-Security-Policy", async () => {
    const handle = appProtocolHandler(root, fetchFile);
    const page = await handle({ url: `${RENDERER_URL}#/alerts`, method: "GET" });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>mcpscope</title>");
    expect(page.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    const script = await handle({ url: "app://mcpscope/assets/main.js" });
    expect([script.status, script.headers.get("content-type")]).toEqual([200, "text/javascript"]);
    expect((await handle({ url: "app://mcpscope/" })).status).toBe(200);
    expect((await handle({ url: "app://mcpscope/missing.js" })).status).toBe(404);
  });

  it.each([
    "app://mcpscope/../secret.txt",
    "app://mcpscope/%2e%2e/secret.txt",
    "app://mcpscope/..%2fsecret.txt",
    "app://mcpscope/assets/..%2f..%2fsecret.txt",
    "app://mcpscope/%2e%2e%2f%2e%2e%2fsecret.txt",
    "app://mcpscope/..%5csecret.txt",
    "app://mcpscope/index.html%00.js",
    "app://mcpscope/%E0%A4%A",
    "app://evil/index.html",
    "file:///etc/passwd",
  ])("refuses %s without reading anything outside the renderer", async (url) => {
    fetched.length = 0;
    const answer = await appProtocolHandler(root, fetchFile)({ url });
    expect(answer.status).toBe(404);
    for (const file of fetched) expect(fileURLToPath(file).startsWith(`${root}/`)).toBe(true);
    expect(appRequestPath(url, root) === null || appRequestPath(url, root)?.startsWith(`${root}/`)).toBe(
      true,
    );
  });

  it("refuses methods other than GET and HEAD", async () => {
    expect((await appProtocolHandler(root, fetchFile)({ url: RENDERER_URL, method: "POST" })).status).toBe(
      405,
    );
  });

  it("the packaged app has file://'s extra privileges off and keeps runAsNode (electron-builder.yml)", () => {
    const config = parse(
      readFileSync(join(import.meta.dirname, "..", "..", "electron-builder.yml"), "utf8"),
    ) as {
      electronFuses: Record<string, boolean>;
    };
    expect(config.electronFuses.grantFileProtocolExtraPrivileges).toBe(false);
    expect(config.electronFuses.runAsNode).toBe(true);
  });
});
