/** Browser mode's Web Notifications for `alerts.notify`: shown only when permitted; a click opens the alert. */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  followNotifications,
  type NotificationHost,
  type PermissionState,
  type ShownNotification,
  showNotification,
} from "../../renderer/src/alerts/web-notifications.js";
import type { DesktopNotification } from "../../shared/alerts.js";
import type { ApiClient } from "../../shared/api.js";

const NOTE: DesktopNotification = {
  deliveryId: 42,
  status: "firing",
  severity: "critical",
  title: "[FIRING:2] tool-error-rate server=memory",
  body: "echo on memory fails 50% of calls",
  alertIds: ["first", "second"],
};

function fakeHost(permission: PermissionState) {
  const shown: { title: string; options: { body: string; tag: string }; note: ShownNotification }[] = [];
  let focused = 0;
  let closed = 0;
  const host: NotificationHost = {
    permission: () => permission,
    show(title, options) {
      const note: ShownNotification = {
        onclick: null,
        close: () => {
          closed++;
        },
      };
      shown.push({ title, options, note });
      return note;
    },
    focus: () => {
      focused++;
    },
  };
  return { host, shown, focused: () => focused, closed: () => closed };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("Web Notifications in browser mode", () => {
  it("shows nothing until the user has granted permission", () => {
    for (const permission of ["default", "denied", "unsupported"] as const) {
      const fake = fakeHost(permission);
      expect(showNotification(NOTE, fake.host, () => {})).toBe(false);
      expect(fake.shown).toHaveLength(0);
    }
  });

  it("shows the title and body, tagged with the delivery id; a click focuses and opens the first alert", () => {
    const fake = fakeHost("granted");
    const opened: (string | null)[] = [];
    expect(showNotification(NOTE, fake.host, (id) => opened.push(id))).toBe(true);
    expect(fake.shown).toHaveLength(1);
    const [shown] = fake.shown;
    expect(shown?.title).toBe(NOTE.title);
    expect(shown?.options).toEqual({ body: NOTE.body, tag: "42" });
    shown?.note.onclick?.(new Event("click"));
    expect(fake.focused()).toBe(1);
    expect(opened).toEqual(["first"]);
    expect(fake.closed()).toBe(1);
  });

  it("follows alerts.notify only while permitted: subscribing once granted, leaving when revoked or stopped", () => {
    const listeners = new Set<(payload: unknown) => void>();
    const client = {
      call: async () => {
        throw new Error("not used");
      },
      on: (_event: string, listener: (payload: unknown) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    } as unknown as ApiClient;
    let permission: PermissionState = "default";
    const fake = fakeHost("granted");
    fake.host.permission = () => permission;
    const follower = followNotifications(client, fake.host, () => {});
    // Subscribed, the tab would count as a place notifications show and take them from the app.
    expect(listeners.size).toBe(0);
    permission = "granted";
    follower.recheck();
    follower.recheck();
    expect(listeners.size).toBe(1);
    for (const l of listeners) l(NOTE);
    expect(fake.shown).toHaveLength(1);
    permission = "denied";
    follower.recheck();
    expect(listeners.size).toBe(0);
    permission = "granted";
    follower.recheck();
    follower.stop();
    expect(listeners.size).toBe(0);
    follower.recheck();
    expect(listeners.size).toBe(0);
  });

  it("merges a backlog: one notification at once, then the rest in one, each alert by its latest word", () => {
    vi.useFakeTimers({ now: new Date("2026-03-04T12:00:00Z") });
    const subscribed: { listener?: (payload: unknown) => void } = {};
    const client = {
      on: (_event: string, l: (payload: unknown) => void) => {
        subscribed.listener = l;
        return () => {};
      },
    } as unknown as ApiClient;
    const fake = fakeHost("granted");
    followNotifications(client, fake.host, () => {});
    const note = (deliveryId: number, alert: string, title: string): DesktopNotification => ({
      ...NOTE,
      deliveryId,
      severity: "warning",
      title,
      alertIds: [alert],
    });
    // What a tab gets at once on connecting: one alert's repeated deliveries and another's.
    for (const n of [
      note(19, "fail", "fail on flaky fails 100% of calls"),
      note(30, "fail", "fail on flaky fails 100% of calls"),
      note(37, "fail", "fail on flaky fails 100% of calls"),
      note(40, "other", "fail on flaky2 fails 100% of calls"),
      note(41, "fail", "Resolved: fail on flaky fails 100% of calls"),
    ])
      subscribed.listener?.(n);
    expect(fake.shown.map((s) => s.title)).toEqual(["fail on flaky fails 100% of calls"]);
    vi.advanceTimersByTime(5_000);
    expect(fake.shown.map((s) => [s.title, s.options.body])).toEqual([
      ["fail on flaky fails 100% of calls", NOTE.body],
      ["2 alerts changed", "fail on flaky2 fails 100% of calls\nResolved: fail on flaky fails 100% of calls"],
    ]);
  });

  it("survives a browser that refuses to construct a notification", () => {
    const fake = fakeHost("granted");
    fake.host.show = () => {
      throw new TypeError("Illegal constructor");
    };
    expect(showNotification(NOTE, fake.host, () => {})).toBe(false);
  });
});
