import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RENDERER_URL } from "../../electron/main/app-protocol.js";
import { APP_USER_MODEL_ID } from "../../electron/main/notifier.js";
import { alertsRoute, routeUrl } from "../../electron/main/renderer-routes.js";
import { isNavigationAllowed } from "../../electron/main/window-security.js";

const root = join(import.meta.dirname, "..", "..");

describe("routes into the renderer", () => {
  const rendererUrl = RENDERER_URL;

  it("an alert's route is #/alerts?alert=<id>, the id encoded and read back by URLSearchParams", () => {
    const id = "ServerDown/a b&c=d#e";
    const url = routeUrl(rendererUrl, alertsRoute(id));
    const hash = new URL(url).hash;
    expect(hash.startsWith("#/alerts?alert=")).toBe(true);
    expect(new URLSearchParams(hash.slice("#/alerts?".length)).get("alert")).toBe(id);
    expect(routeUrl(rendererUrl, alertsRoute())).toBe(`${rendererUrl}#/alerts`);
  });

  it("the window's security policy lets the window go to a route", () => {
    expect(isNavigationAllowed(routeUrl(rendererUrl, alertsRoute("a1")), rendererUrl)).toBe(true);
  });
});

describe("the app's identity on Windows", () => {
  it("the AppUserModelID set before notifications is electron-builder's appId", () => {
    const config = readFileSync(join(root, "electron-builder.yml"), "utf8");
    expect(/^appId:\s*(\S+)/m.exec(config)?.[1]).toBe(APP_USER_MODEL_ID);
  });
});
