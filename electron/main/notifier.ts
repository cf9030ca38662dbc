/**
 * Native desktop notifications behind a small interface: the alert notifications decide what to show,
 * a Notifier shows it. `electronNotifier` adapts Electron's Notification class; tests use a fake.
 */

/**
 * The app's identity on Windows, equal to electron-builder.yml's appId (the installer's Start menu
 * shortcut carries it). Set before the first notification, or Windows shows none.
 */
export const APP_USER_MODEL_ID = "dev.mcpscope.app";

import type { NotificationRequest, Notifier } from "../../shared/alert-notifications.js";

export type { NotificationRequest, Notifier };

/** The parts of an Electron Notification used here. */
export interface NativeNotification {
  on(event: "click" | "close" | "failed", listener: (...args: unknown[]) => void): unknown;
  show(): void;
}

/** Electron's Notification class, as far as it is used here. */
export interface NotificationClass {
  isSupported(): boolean;
  new (options: {
    title: string;
    body: string;
    urgency?: "normal" | "critical" | "low";
    timeoutType?: "default" | "never";
  }): NativeNotification;
}

export interface ElectronNotifierOptions {
  platform: NodeJS.Platform;
  /** How many shown notifications are kept referenced for their click (default 20). */
  keep?: number;
  /** Where a notification that could not be shown is reported (default console.warn). */
  onError?(message: string): void;
}

export function electronNotifier(
  Notification: NotificationClass,
  options: ElectronNotifierOptions,
): Notifier {
  const keep = options.keep ?? 20;
  const onError = options.onError ?? ((message: string) => console.warn(`mcpscope: ${message}`));
  // A Notification that is garbage-collected loses its click handler while it still sits in the
  // notification centre: hold the newest few until they are closed.
  const live = new Set<NativeNotification>();
  const release = (notification: NativeNotification) => live.delete(notification);

  return {
    supported() {
      try {
        return Notification.isSupported();
      } catch {
        return false;
      }
    },

    show(request) {
      try {
        const notification = new Notification({
          title: request.title,
          body: request.body,
          urgency: request.urgency,
          // A critical notification stays on a Linux desktop until dismissed (most daemons drop it otherwise).
          ...(request.urgency === "critical" && options.platform === "linux"
            ? { timeoutType: "never" as const }
            : {}),
        });
        notification.on("click", () => {
          release(notification);
          request.onClick();
        });
        notification.on("close", () => release(notification));
        notification.on("failed", (_event, error) => {
          release(notification);
          onError(`a desktop notification failed: ${String(error)}`);
        });
        live.add(notification);
        for (const old of live) {
          if (live.size <= keep) break;
          live.delete(old);
        }
        notification.show();
      } catch (error) {
        onError(`could not show a desktop notification: ${error instanceof Error ? error.message : error}`);
      }
    },
  };
}
