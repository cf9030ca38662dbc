/** What the screen-reader live region says about alerts: each one that starts firing, once, never a refresh. */
import { describe, expect, it } from "vitest";
import { firingAnnouncement } from "../../renderer/src/alerts/announce.js";
import type { AlertInstance } from "../../shared/alerts.js";

const alert = (id: string, state: AlertInstance["state"], silencedBy: string[] = []): AlertInstance => ({
  id,
  rule: `rule-${id}`,
  severity: "warning",
  state,
  labels: { server: "everything" },
  summary: "error rate of echo on everything is 75%",
  value: 0.75,
  valueText: "75%",
  activeAt: "2026-12-06T21:00:00.000Z",
  firedAt: state === "firing" ? "2026-12-06T21:01:00.000Z" : null,
  resolvedAt: null,
  silencedBy,
  inhibited: false,
  acknowledged: false,
});

describe("announcing alerts", () => {
  it("says nothing about alerts already firing when the app opens", () => {
    const first = firingAnnouncement(null, [alert("a", "firing")]);
    expect(first.text).toBeNull();
    expect([...first.known]).toEqual(["a"]);
  });

  it("says an alert that starts firing once, and nothing on the refreshes after", () => {
    const opened = firingAnnouncement(null, [alert("a", "pending")]);
    const fired = firingAnnouncement(opened.known, [alert("a", "firing")]);
    expect(fired.text).toBe("Alert firing: rule-a (warning): error rate of echo on everything is 75%");
    const again = firingAnnouncement(fired.known, [alert("a", "firing")]);
    expect(again.text).toBeNull();
  });

  it("names every alert that started together, and none that is silenced", () => {
    const opened = firingAnnouncement(null, []);
    const fired = firingAnnouncement(opened.known, [
      alert("a", "firing"),
      alert("b", "firing"),
      alert("c", "firing", ["s1"]),
    ]);
    expect(fired.text).toMatch(/^Alerts firing: rule-a .*; rule-b /);
    expect(fired.text).not.toContain("rule-c");
  });

  it("says it again when a resolved alert fires anew", () => {
    const a = firingAnnouncement(null, [alert("a", "firing")]);
    const resolved = firingAnnouncement(a.known, []);
    expect(firingAnnouncement(resolved.known, [alert("a", "firing")]).text).toContain("rule-a");
  });
});
