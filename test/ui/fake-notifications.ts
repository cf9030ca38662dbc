/**
 * A page's init script (`openPage`'s third argument) that records Web Notifications in
 * `window.__notifications` instead of showing them, with permission granted: the tab then shows desktop
 * notifications as far as the engine knows.
 */
export const FAKE_NOTIFICATIONS = `(() => {
  const shown = [];
  class FakeNotification {
    static permission = "granted";
    static requestPermission() { return Promise.resolve("granted"); }
    constructor(title, options) {
      this.title = title;
      this.tag = options?.tag;
      this.body = options?.body;
      this.onclick = null;
      shown.push(this);
    }
    close() { this.closed = true; }
  }
  window.Notification = FakeNotification;
  window.__notifications = shown;
})();`;
