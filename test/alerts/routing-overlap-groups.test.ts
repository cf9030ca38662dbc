/**
 * A route's `group_by` holds when an earlier route takes some of the group's alerts: the group stays one
 * group, each channel hears the alerts this route is the first to bring it in one grouped notification,
 * and a channel that an earlier route already told hears them only from there.
 */
import { expect, it } from "vitest";
import {
  alertStore,
  CapturingChannel,
  evaluate,
  harness,
  MINUTE,
  minuteSeries,
  VirtualClock,
} from "./alert-fixtures.js";

const store = alertStore(`
evaluation_interval: 1m
rules:
  - { name: errs, kind: metric, signal: error_rate, by: [server, tool], threshold: 20%, severity: critical }
  - { name: tool-error-rate, enabled: false }
channels:
  - { name: ops, type: webhook, url: "http://127.0.0.1:9/ops" }
  - { name: mail, type: webhook, url: "http://127.0.0.1:9/mail" }
routes:
  - matchers: [tool=deploy]
    channels: [ops]
    group_wait: 0s
  - matchers: [severity=critical]
    channels: [ops, mail]
    group_by: [alertname, server]
    group_wait: 0s
    send_resolved: true
`);

const said = (channel: CapturingChannel) =>
  channel.got.map((n) => `${n.title} <${n.alerts.map((a) => `${a.labels.tool}:${a.status}`).join(",")}>`);

it("one (alertname, server) group notifies each channel once, with the alerts its route brings it", async () => {
  const clock = new VirtualClock();
  const ops = new CapturingChannel("ops");
  const mail = new CapturingChannel("mail");
  // Both tools of server a fail for three minutes, then recover.
  const signals = minuteSeries(
    [
      { signal: "error_rate", labels: { server: "a", tool: "deploy" }, values: [1, 1, 1, 0, 0] },
      { signal: "error_rate", labels: { server: "a", tool: "read" }, values: [1, 1, 1, 0, 0] },
    ],
    clock.t,
  );
  const h = harness(store.dir, store.db, clock, signals, { ops, mail });
  for (let m = 0; m < 5; m++) {
    await evaluate(h, clock);
    clock.advance(MINUTE);
  }
  // mail hears the group whole: one firing, one resolution, both alerts in each.
  expect(said(mail)).toEqual([
    "[FIRING:2] errs server=a <deploy:firing,read:firing>",
    "[RESOLVED:2] errs server=a <deploy:resolved,read:resolved>",
  ]);
  // ops hears deploy from the first route and read from the second, each once per change.
  expect(said(ops).sort()).toEqual([
    "[FIRING:1] errs server=a <deploy:firing>",
    "[FIRING:1] errs server=a <read:firing>",
    "[RESOLVED:1] errs server=a <deploy:resolved>",
    "[RESOLVED:1] errs server=a <read:resolved>",
  ]);
  h.manager.close();
});
