/**
 * Browser mode's desktop notifications: `alerts.notify` shown as Web Notifications, through the same
 * guards as the app's native ones (at most one per 5 s, the rest merged). Only for the HTTP + WebSocket
 * transport — in Electron the main process shows native notifications itself.
 */
import { AlertNotifications, type NotificationRequest } from "../../../shared/alert-notifications.js";
import type { DesktopNotification } from "../../../shared/alerts.js";
import type { ApiClient } from "../../../shared/api.js";

/** `Notification.permission`, or `unsupported` where the browser has no Web Notifications. */
export type PermissionState = "default" | "granted" | "denied" | "unsupported";

/** A shown notification, as much of it as is used here. */
export interface ShownNotification {
  onclick: ((event: Event) => void) | null;
  close(): void;
}

/** The browser's side, behind an interface so that tests can fake it. */
export interface NotificationHost {
  permission(): PermissionState;
  show(title: string, options: { body: string; tag: string }): ShownNotification;
  /** Brings this window to the front. */
  focus(): void;
}

/** Shows one notification when permitted; a click focuses the window and opens its first alert. */
export function showNotification(
  notification: DesktopNotification,
  host: NotificationHost,
  open: (alertId: string | null) => void,
): boolean {
  return showRequest(
    {
      title: notification.title,
      body: notification.body,
      urgency: "normal",
      deliveryId: notification.deliveryId,
      onClick: () => open(notification.alertIds[0] ?? null),
    },
    host,
  );
}

function showRequest(request: NotificationRequest, host: NotificationHost): boolean {
  if (host.permission() !== "granted") return false;
  let shown: ShownNotification;
  try {
    // The tag makes a repeated delivery replace its notification rather than stack.
    shown = host.show(request.title, {
      body: request.body,
      tag: request.deliveryId === undefined ? "mcpscope-merged" : String(request.deliveryId),
    });
  } catch (error) {
    console.warn("mcpscope: could not show a desktop notification", error);
    return false;
  }
  shown.onclick = (event) => {
    event.preventDefault();
    host.focus();
    request.onClick();
    shown.close();
  };
  return true;
}

/** Following `alerts.notify`: `recheck` after the permission may have changed; `stop` ends it. */
export interface NotificationFollower {
  recheck(): void;
  stop(): void;
}

/**
 * Shows every `alerts.notify` as a Web Notification, subscribed only while the browser permits showing
 * them: a subscriber tells the engine notifications are shown here, and one that would drop them would
 * take them from the app, which could have shown them.
 */
export function followNotifications(
  client: ApiClient,
  host: NotificationHost,
  open: (alertId: string | null) => void,
): NotificationFollower {
  let off: (() => void) | null = null;
  let stopped = false;
  const guarded = new AlertNotifications({
    notifier: {
      supported: () => host.permission() === "granted",
      show: (request) => void showRequest(request, host),
    },
    open: (alertId) => open(alertId),
  });
  const recheck = () => {
    const permitted = !stopped && host.permission() === "granted";
    if (permitted && !off) off = client.on("alerts.notify", (notification) => guarded.notify(notification));
    if (!permitted && off) {
      off();
      off = null;
      guarded.dispose();
    }
  };
  recheck();
  return {
    recheck,
    stop() {
      stopped = true;
      recheck();
    },
  };
}
