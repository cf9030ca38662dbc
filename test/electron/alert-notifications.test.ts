import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  electronNotifier,
  type NotificationClass,
  type NotificationRequest,
  type Notifier,
} from "../../electron/main/notifier.js";
import { AlertNotifications } from "../../shared/alert-notifications.js";
import type { DesktopNotification } from "../../shared/alerts.js";

class FakeNotifier implements Notifier {
  shown: NotificationRequest[] = [];
  constructor(private readonly isSupported = true) {}
  supported() {
    return this.isSupported;
  }
  show(request: NotificationRequest) {
    this.shown.push(request);
  }
}

let nextDelivery = 1;
function notification(overrides: Partial<DesktopNotification> = {}): DesktopNotification {
  const id = nextDelivery++;
  return {
    deliveryId: id,
    status: "firing",
    severity: "warning",
    title: `SlowTool on server-${id}`,
    body: `p95 of search is 3.${id} s (threshold 2 s)`,
    alertIds: [`alert-${id}`],
    ...overrides,
  };
}

describe("alert notifications", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date("2026-03-04T12:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows one native notification per engine notification, firing and resolved", () => {
    const notifier = new FakeNotifier();
    const notifications = new AlertNotifications({ notifier, open: () => {} });
    notifications.notify(
      notification({
        title: "filesystem is down",
        body: "critical · server-down · server=filesystem",
        severity: "critical",
      }),
    );
    vi.advanceTimersByTime(10_000);
    notifications.notify(
      notification({ status: "resolved", title: "Resolved: filesystem is down", severity: "critical" }),
    );
    // The engine words the title for the desktop; the shell adds nothing to it.
    expect(notifier.shown.map(({ title, body, urgency }) => ({ title, body, urgency }))).toEqual([
      {
        title: "filesystem is down",
        body: "critical · server-down · server=filesystem",
        urgency: "critical",
      },
      { title: "Resolved: filesystem is down", body: expect.any(String), urgency: "normal" },
    ]);
  });

  it("clicking a notification opens its first alert", () => {
    const notifier = new FakeNotifier();
    const open = vi.fn();
    const notifications = new AlertNotifications({ notifier, open });
    notifications.notify(notification({ alertIds: ["abc", "def"] }));
    notifier.shown[0]!.onClick();
    expect(open).toHaveBeenCalledExactlyOnceWith("abc");
  });

  it("a burst of 20 within a second is at most two notifications, the rest merged into one", () => {
    const notifier = new FakeNotifier();
    const open = vi.fn();
    const notifications = new AlertNotifications({ notifier, open });
    for (let i = 0; i < 20; i++) {
      notifications.notify(
        notification(
          i === 7 ? { severity: "critical", alertIds: ["the-critical-one"], title: "ServerDown" } : {},
        ),
      );
      vi.advanceTimersByTime(50);
    }
    expect(notifier.shown).toHaveLength(1);
    vi.advanceTimersByTime(5_000);
    expect(notifier.shown).toHaveLength(2);
    const merged = notifier.shown[1]!;
    expect(merged.title).toBe("19 alerts changed");
    expect(merged.body.split("\n")).toHaveLength(5);
    expect(merged.body).toMatch(/^SlowTool on server-\d+\n/);
    expect(merged.body.endsWith("… and 15 more")).toBe(true);
    // The merged one is as urgent as its worst, and opens that alert.
    expect(merged.urgency).toBe("critical");
    merged.onClick();
    expect(open).toHaveBeenCalledWith("the-critical-one");
    vi.advanceTimersByTime(60_000);
    expect(notifier.shown).toHaveLength(2);
  });

  it("at most one notification per 5 s, even spread over several intervals", () => {
    const notifier = new FakeNotifier();
    const notifications = new AlertNotifications({ notifier, open: () => {} });
    const shownAt: number[] = [];
    const show = notifier.show.bind(notifier);
    notifier.show = (request) => {
      shownAt.push(Date.now());
      show(request);
    };
    for (let i = 0; i < 60; i++) {
      notifications.notify(notification());
      vi.advanceTimersByTime(500);
    }
    vi.advanceTimersByTime(10_000);
    expect(shownAt.length).toBeGreaterThan(1);
    for (let i = 1; i < shownAt.length; i++)
      expect(shownAt[i]! - shownAt[i - 1]!).toBeGreaterThanOrEqual(5_000);
    // Nothing is lost: every notification was shown alone or counted in a merged one.
    const counted = notifier.shown
      .map((n) => /^(\d+) alerts changed$/.exec(n.title)?.[1])
      .reduce((sum, count) => sum + (count ? Number(count) : 1), 0);
    expect(counted).toBe(60);
  });

  it("one notification left over after an interval is shown as itself, not as a merge", () => {
    const notifier = new FakeNotifier();
    const notifications = new AlertNotifications({ notifier, open: () => {} });
    notifications.notify(notification());
    notifications.notify(notification({ title: "Resolved: ErrorRate high", status: "resolved" }));
    vi.advanceTimersByTime(5_000);
    expect(notifier.shown.map((n) => n.title)).toEqual([
      expect.stringMatching(/^SlowTool on server-\d+$/),
      "Resolved: ErrorRate high",
    ]);
  });

  it("shows nothing while notifications are paused, and again once the pause is over", () => {
    const notifier = new FakeNotifier();
    const notifications = new AlertNotifications({ notifier, open: () => {} });
    notifications.update({ pausedUntil: new Date(Date.now() + 60 * 60_000).toISOString() });
    notifications.notify(notification());
    expect(notifier.shown).toEqual([]);
    vi.advanceTimersByTime(60 * 60_000);
    notifications.notify(notification());
    expect(notifier.shown).toHaveLength(1);
  });

  it("a pause that starts while a merge waits drops the merge", () => {
    const notifier = new FakeNotifier();
    const notifications = new AlertNotifications({ notifier, open: () => {} });
    notifications.notify(notification());
    notifications.notify(notification());
    notifications.notify(notification());
    notifications.update({ pausedUntil: new Date(Date.now() + 60 * 60_000).toISOString() });
    vi.advanceTimersByTime(10_000);
    expect(notifier.shown).toHaveLength(1);
  });

  it("an unsupported notifier shows nothing and throws nothing", () => {
    const notifier = new FakeNotifier(false);
    const notifications = new AlertNotifications({ notifier, open: () => {} });
    expect(() => {
      for (let i = 0; i < 5; i++) notifications.notify(notification());
      vi.advanceTimersByTime(10_000);
    }).not.toThrow();
    expect(notifier.shown).toEqual([]);
  });

  it("a title is one clipped line", () => {
    const notifier = new FakeNotifier();
    const notifications = new AlertNotifications({ notifier, open: () => {} });
    notifications.notify(notification({ title: `two\nlines ${"x".repeat(500)}` }));
    const { title } = notifier.shown[0]!;
    expect(title.startsWith("two lines x")).toBe(true);
    expect(title.length).toBeLessThanOrEqual(200);
  });
});

/** Electron's Notification, as far as the notifier uses it. */
function fakeNotificationClass(supported: boolean | "throws" = true) {
  const created: FakeNotification[] = [];
  class FakeNotification extends EventEmitter {
    shown = 0;
    constructor(readonly options: Record<string, unknown>) {
      super();
      created.push(this);
    }
    static isSupported() {
      if (supported === "throws") throw new Error("no D-Bus");
      return supported;
    }
    show() {
      this.shown++;
    }
  }
  return { Notification: FakeNotification as unknown as NotificationClass, created };
}

describe("the Electron notifier", () => {
  const request = (overrides: Partial<NotificationRequest> = {}): NotificationRequest => ({
    title: "Firing: ServerDown",
    body: "filesystem is down",
    urgency: "critical",
    onClick: () => {},
    ...overrides,
  });

  it("shows the notification; a critical one never times out on Linux", () => {
    const { Notification, created } = fakeNotificationClass();
    electronNotifier(Notification, { platform: "linux" }).show(request());
    electronNotifier(Notification, { platform: "linux" }).show(request({ urgency: "normal" }));
    electronNotifier(Notification, { platform: "darwin" }).show(request());
    expect(created.map((n) => [n.options, n.shown])).toEqual([
      [
        {
          title: "Firing: ServerDown",
          body: "filesystem is down",
          urgency: "critical",
          timeoutType: "never",
        },
        1,
      ],
      [{ title: "Firing: ServerDown", body: "filesystem is down", urgency: "normal" }, 1],
      [{ title: "Firing: ServerDown", body: "filesystem is down", urgency: "critical" }, 1],
    ]);
  });

  it("calls onClick on click", () => {
    const { Notification, created } = fakeNotificationClass();
    const onClick = vi.fn();
    electronNotifier(Notification, { platform: "win32" }).show(request({ onClick }));
    created[0]!.emit("click", {});
    expect(onClick).toHaveBeenCalledOnce();
  });

  it("reports whether notifications are supported, false when asking throws", () => {
    expect(
      electronNotifier(fakeNotificationClass(true).Notification, { platform: "linux" }).supported(),
    ).toBe(true);
    expect(
      electronNotifier(fakeNotificationClass(false).Notification, { platform: "linux" }).supported(),
    ).toBe(false);
    expect(
      electronNotifier(fakeNotificationClass("throws").Notification, { platform: "linux" }).supported(),
    ).toBe(false);
  });

  it("a notification that cannot be created or fails is reported, never thrown", () => {
    const errors: string[] = [];
    const Broken = class {
      static isSupported() {
        return true;
      }
      constructor() {
        throw new Error("no notification server");
      }
    } as unknown as NotificationClass;
    expect(() =>
      electronNotifier(Broken, { platform: "linux", onError: (m) => errors.push(m) }).show(request()),
    ).not.toThrow();
    const { Notification, created } = fakeNotificationClass();
    electronNotifier(Notification, { platform: "win32", onError: (m) => errors.push(m) }).show(request());
    created[0]!.emit("failed", {}, "toast rejected");
    expect(errors).toEqual([
      "could not show a desktop notification: no notification server",
      "a desktop notification failed: toast rejected",
    ]);
  });
});
