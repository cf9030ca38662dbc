import { defineStore } from "pinia";
import { computed, ref } from "vue";
import {
  followNotifications,
  type NotificationFollower,
  type NotificationHost,
  type PermissionState,
} from "../alerts/web-notifications.js";
import { useApi } from "./connection.js";
import { useNavigationStore } from "./navigation.js";

const browserNotificationHost: NotificationHost = {
  permission: () => (typeof Notification === "undefined" ? "unsupported" : Notification.permission),
  show: (title, options) => new Notification(title, options),
  focus: () => window.focus(),
};

/**
 * Desktop notifications in browser mode (Web Notifications for `alerts.notify`) and the permission they
 * need. In Electron the main process notifies natively, so nothing here runs there.
 */
export const useWebNotificationsStore = defineStore("web-notifications", () => {
  const { client, transport } = useApi();
  const nav = useNavigationStore();
  const host: NotificationHost = browserNotificationHost;

  /** Only the browser shows them itself. */
  const applies = transport.kind === "http";
  const permission = ref<PermissionState>(host.permission());
  /** Whether the Alerts view should offer to turn them on. */
  const canAsk = computed(() => applies && permission.value === "default");
  let follower: NotificationFollower | null = null;

  function recheck(): void {
    permission.value = host.permission();
    follower?.recheck();
  }

  /** Asks the browser for permission (must run from a click). */
  async function enable(): Promise<void> {
    if (!applies || typeof Notification === "undefined") return;
    try {
      await Notification.requestPermission();
    } catch {}
    recheck();
  }

  function start(): void {
    if (follower || !applies) return;
    follower = followNotifications(client, host, (alertId) => nav.openAlert(alertId));
    // Permission can also change in the browser's own site settings.
    void navigator.permissions
      ?.query({ name: "notifications" })
      .then((status) => status.addEventListener("change", recheck))
      .catch(() => {});
  }

  return { applies, permission, canAsk, enable, start };
});
