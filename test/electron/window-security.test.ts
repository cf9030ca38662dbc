import { EventEmitter } from "node:events";
import type { WebContents } from "electron";
import { describe, expect, it, vi } from "vitest";
import { RENDERER_URL } from "../../electron/main/app-protocol.js";
import {
  CONTENT_SECURITY_POLICY,
  denyWindowOpen,
  externalLinkTarget,
  hardenWebContents,
  isNavigationAllowed,
  isRendererUrl,
  permissionCheckHandler,
  permissionRequestHandler,
  withCsp,
} from "../../electron/main/window-security.js";

const rendererUrl = RENDERER_URL;

describe("the renderer URL", () => {
  it("is the app scheme's index.html", () => {
    expect(rendererUrl).toBe("app://mcpscope/index.html");
  });

  it("matches the page with any route or query, and nothing else", () => {
    expect(isRendererUrl(rendererUrl, rendererUrl)).toBe(true);
    expect(isRendererUrl(`${rendererUrl}#/calls/7`, rendererUrl)).toBe(true);
    expect(isRendererUrl(`${rendererUrl}?tab=logs`, rendererUrl)).toBe(true);
    expect(isRendererUrl("app://mcpscope/other.html", rendererUrl)).toBe(false);
    expect(isRendererUrl("app://evil-host/index.html", rendererUrl)).toBe(false);
    expect(isRendererUrl("file:///index.html", rendererUrl)).toBe(false);
    expect(isRendererUrl("file:///etc/passwd", rendererUrl)).toBe(false);
    expect(isRendererUrl("https://mcpscope/index.html", rendererUrl)).toBe(false);
    expect(isRendererUrl("not a url", rendererUrl)).toBe(false);
  });
});

describe("navigation", () => {
  it.each([
    "https://example.com/",
    "http://127.0.0.1:7777/",
    "file:///home/me/.ssh/id_rsa",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "devtools://devtools/bundled/inspector.html",
  ])("to %s is denied", (url) => {
    expect(isNavigationAllowed(url, rendererUrl)).toBe(false);
  });

  it("to a malformed percent-encoding is denied, never thrown", () => {
    expect(isNavigationAllowed("app://mcpscope/%E0%A4%A", rendererUrl)).toBe(false);
    expect(isRendererUrl("app://mcpscope/%", rendererUrl)).toBe(false);
  });

  it("to our own page (a reload) is allowed", () => {
    expect(isNavigationAllowed(`${rendererUrl}#/`, rendererUrl)).toBe(true);
  });
});

describe("new windows", () => {
  it("are always denied; web links go to the OS browser, other schemes nowhere", () => {
    const openExternal = vi.fn();
    const handler = denyWindowOpen(openExternal);
    expect(handler({ url: "https://modelcontextprotocol.io/docs" })).toEqual({ action: "deny" });
    expect(handler({ url: "file:///etc/passwd" })).toEqual({ action: "deny" });
    expect(handler({ url: "javascript:alert(1)" })).toEqual({ action: "deny" });
    expect(handler({ url: "smb://host/share" })).toEqual({ action: "deny" });
    expect(handler({ url: rendererUrl })).toEqual({ action: "deny" });
    expect(openExternal.mock.calls).toEqual([["https://modelcontextprotocol.io/docs"]]);
  });

  it("external link targets are http and https only", () => {
    expect(externalLinkTarget("http://example.com")).toBe("http://example.com/");
    expect(externalLinkTarget("ms-settings:privacy")).toBeNull();
    expect(externalLinkTarget("vscode://file/etc/passwd")).toBeNull();
    expect(externalLinkTarget("::")).toBeNull();
  });
});

describe("permissions", () => {
  const request = permissionRequestHandler(rendererUrl);
  const check = permissionCheckHandler(rendererUrl);
  const asked = (permission: string, requestingUrl: string) => {
    const callback = vi.fn();
    request({}, permission, callback, { requestingUrl });
    return callback.mock.calls;
  };

  it("grants writing to the clipboard (the Copy buttons) to the app's own page, on request and on check", () => {
    expect(asked("clipboard-sanitized-write", `${rendererUrl}#/calls`)).toEqual([[true]]);
    expect(check({}, "clipboard-sanitized-write", "app://mcpscope/")).toBe(true);
    expect(check({}, "clipboard-sanitized-write", "app://mcpscope")).toBe(true);
  });

  it("denies every other permission, the clipboard's reading included", () => {
    for (const permission of ["clipboard-read", "media", "notifications", "geolocation", "openExternal"]) {
      expect(asked(permission, rendererUrl)).toEqual([[false]]);
      expect(check({}, permission, "app://mcpscope/")).toBe(false);
    }
  });

  it("denies writing to the clipboard to any other page or origin", () => {
    for (const url of ["https://evil.example/", "app://evil-host/index.html", "file:///index.html", ""]) {
      expect(asked("clipboard-sanitized-write", url)).toEqual([[false]]);
      expect(check({}, "clipboard-sanitized-write", url)).toBe(false);
    }
    const callback = vi.fn();
    request({}, "clipboard-sanitized-write", callback);
    expect(callback.mock.calls).toEqual([[false]]);
  });
});

describe("the Content-Security-Policy header", () => {
  it("allows only the app's own scripts and nothing inline or evaluated", () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get("default-src")).toEqual(["'none'"]);
    expect(directives.get("script-src")).toEqual(["'self'"]);
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
  });

  it("replaces any policy the response carried and keeps the other headers", () => {
    const headers = withCsp({ "content-security-policy": ["default-src *"], "Content-Type": ["text/html"] });
    expect(headers).toEqual({
      "Content-Type": ["text/html"],
      "Content-Security-Policy": [CONTENT_SECURITY_POLICY],
    });
    expect(withCsp(undefined)).toEqual({ "Content-Security-Policy": [CONTENT_SECURITY_POLICY] });
  });
});

describe("hardenWebContents", () => {
  function fakeContents() {
    const contents = new EventEmitter() as EventEmitter & {
      setWindowOpenHandler: ReturnType<typeof vi.fn>;
      closeDevTools: ReturnType<typeof vi.fn>;
    };
    contents.setWindowOpenHandler = vi.fn();
    contents.closeDevTools = vi.fn();
    return contents;
  }
  const navigation = (url: string) => ({ url, preventDefault: vi.fn() });

  it("prevents navigation and redirects away from our page, and webview attachment", () => {
    const contents = fakeContents();
    const openExternal = vi.fn();
    hardenWebContents(contents as unknown as WebContents, rendererUrl, openExternal);

    const away = navigation("https://evil.example/");
    contents.emit("will-navigate", away, away.url);
    expect(away.preventDefault).toHaveBeenCalled();

    const redirect = navigation("file:///etc/passwd");
    contents.emit("will-redirect", redirect, redirect.url);
    expect(redirect.preventDefault).toHaveBeenCalled();

    const malformed = navigation("app://mcpscope/%E0%A4%A");
    expect(() => contents.emit("will-navigate", malformed, malformed.url)).not.toThrow();
    expect(malformed.preventDefault).toHaveBeenCalled();

    const reload = navigation(rendererUrl);
    contents.emit("will-navigate", reload, reload.url);
    expect(reload.preventDefault).not.toHaveBeenCalled();

    const webview = { preventDefault: vi.fn() };
    contents.emit("will-attach-webview", webview);
    expect(webview.preventDefault).toHaveBeenCalled();

    const handler = contents.setWindowOpenHandler.mock.calls[0]![0] as (d: { url: string }) => unknown;
    expect(handler({ url: "https://example.com/" })).toEqual({ action: "deny" });
    expect(openExternal).toHaveBeenCalledWith("https://example.com/");
    expect(openExternal).not.toHaveBeenCalledWith("https://evil.example/");
  });

  it("guards every frame's navigation: a subframe may not leave our page either (will-frame-navigate)", () => {
    const contents = fakeContents();
    hardenWebContents(contents as unknown as WebContents, rendererUrl, vi.fn());
    const frame = (url: string, isMainFrame: boolean) => ({ url, isMainFrame, preventDefault: vi.fn() });
    const sub = frame("https://evil.example/phish", false);
    contents.emit("will-frame-navigate", sub);
    expect(sub.preventDefault).toHaveBeenCalled();
    const main = frame("file:///etc/passwd", true);
    contents.emit("will-frame-navigate", main);
    expect(main.preventDefault).toHaveBeenCalled();
    const own = frame(`${rendererUrl}#/alerts`, true);
    contents.emit("will-frame-navigate", own);
    expect(own.preventDefault).not.toHaveBeenCalled();
  });

  it("closes DevTools as soon as they open in a packaged app, not in development", () => {
    const packaged = fakeContents();
    hardenWebContents(packaged as unknown as WebContents, rendererUrl, vi.fn(), { packaged: true });
    packaged.emit("devtools-opened");
    expect(packaged.closeDevTools).toHaveBeenCalledTimes(1);
    const dev = fakeContents();
    hardenWebContents(dev as unknown as WebContents, rendererUrl, vi.fn(), { packaged: false });
    dev.emit("devtools-opened");
    expect(dev.closeDevTools).not.toHaveBeenCalled();
  });
});
