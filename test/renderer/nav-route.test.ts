/**
 * The app's place as a URL fragment: every state the navigation store can be in reads back from its own
 * fragment, the main process's alert links are understood, and anything else falls back to nothing.
 */
import { describe, expect, it } from "vitest";
import { alertsRoute, routeUrl } from "../../electron/main/renderer-routes.js";
import { type NavState, parseRoute, routeHash, VIEW_IDS } from "../../renderer/src/nav-route.js";

const base: NavState = { view: "overview", serverId: null, seenServer: null, sessionId: null };

describe("the app's route", () => {
  it("names every view and reads it back", () => {
    for (const view of VIEW_IDS) {
      expect(parseRoute(routeHash({ ...base, view }))).toEqual({ view });
    }
  });

  it("keeps a server's page, a traffic-only server's page and a session, with awkward names", () => {
    const odd = "a/b c?d=e&f#g%";
    expect(parseRoute(routeHash({ ...base, view: "servers", serverId: odd }))).toEqual({
      view: "servers",
      server: odd,
    });
    expect(parseRoute(routeHash({ ...base, view: "servers", seenServer: odd }))).toEqual({
      view: "servers",
      seen: odd,
    });
    expect(parseRoute(routeHash({ ...base, view: "events", sessionId: odd }))).toEqual({
      view: "events",
      session: odd,
    });
  });

  it("keeps a page only in its own view", () => {
    // A server left open while another view shows is not part of that view's address.
    expect(routeHash({ ...base, view: "tools", serverId: "s1", sessionId: "x" })).toBe("#/tools");
    expect(parseRoute("#/logs?server=s1")).toEqual({ view: "logs" });
  });

  it("opens the alert a notification's link names, also once browser mode re-encoded it", () => {
    const id = "a/b c";
    const link = new URL(routeUrl("app://mcpscope/index.html", alertsRoute(id))).hash;
    expect(parseRoute(link)).toEqual({ view: "alerts", alert: id });
    expect(parseRoute("#%2Falerts%3Falert=abc123")).toEqual({ view: "alerts", alert: "abc123" });
    expect(parseRoute(new URL(routeUrl("app://mcpscope/index.html", alertsRoute())).hash)).toEqual({
      view: "alerts",
    });
  });

  it("names nothing for an empty fragment, a token, a typo or a broken escape", () => {
    for (const hash of ["", "#", "#token=xyz", "#/nope", "#/Servers", "#%2F%E0%A4%A", "#servers"]) {
      expect(parseRoute(hash), hash).toBeNull();
    }
  });
});
